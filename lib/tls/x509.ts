/**
 * The X.509 library, `@peculiar/x509`, with the Reflect polyfill it needs
 * loaded first. Import the library from here, never directly: its dependency
 * `tsyringe` throws at load time ("tsyringe requires a reflect polyfill")
 * unless `Reflect.getMetadata` already exists, and module evaluation follows
 * import order, so the polyfill must come before the library in one module.
 *
 * @module
 */

// The polyfill the library's README names, loaded before the library.
import "reflect-metadata";
export * from "@peculiar/x509";
