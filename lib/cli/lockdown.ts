/**
 * Least privilege at run time: once the hub has opened its journal and read
 * its TLS files, or the node has read its CA, the process gives up reading
 * and writing files altogether. Deno's permissions are fixed when a binary
 * is compiled; dropping them here narrows them to what each role still needs
 * (the journal's open database keeps working: SQLite holds its files open).
 *
 * @module
 */

/**
 * Revokes file read and write permissions for the rest of the process.
 *
 * @example
 * ```ts ignore
 * const journal = new SqliteJournal(directory);
 * dropFileAccess();
 * await Deno.writeTextFile("/tmp/x", "x"); // throws Deno.errors.NotCapable
 * ```
 */
export function dropFileAccess(): void {
  Deno.permissions.revokeSync({ name: "write" });
  Deno.permissions.revokeSync({ name: "read" });
}
