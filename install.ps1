# Installs the consensus binary for Windows from a GitHub release: downloads
# it and the release's SHA256SUMS, checks the checksum, and only then puts it
# in ~\.local\bin (or -Dir). Nothing is installed when the checksum does not
# match.
#
#   irm https://github.com/OWNER/REPO/releases/latest/download/install.ps1 | iex
#   .\install.ps1 -Dir C:\Tools -Version v0.1.0
#
# Environment (all optional):
#   CONSENSUS_BASE_URL     where the release files are, instead of the GitHub release
#   CONSENSUS_REPOSITORY   the GitHub repository (OWNER/REPO) whose releases to use
#   CONSENSUS_OS           the system instead of the detected one (only windows has a binary here)
#   CONSENSUS_ARCH         the CPU instead of the detected one: x64, arm64
param(
  [string]$Dir = (Join-Path $HOME ".local\bin"),
  [string]$Version = ""
)

# Errors are thrown, not `exit`ed: run with `| iex`, exit would close the user's window.
$ErrorActionPreference = "Stop"

function Install-Consensus([string]$Dir, [string]$Version) {
  # The release workflow writes the repository here in the copy it publishes.
  $repository = if ($env:CONSENSUS_REPOSITORY) { $env:CONSENSUS_REPOSITORY } else { "__REPOSITORY__" }
  $available = "linux x64, linux arm64, macos x64, macos arm64, windows x64"

  $os = $env:CONSENSUS_OS
  if (-not $os) {
    # $IsLinux and $IsMacOS exist in PowerShell 6 and later; Windows PowerShell 5.1 is Windows.
    $os = if ($IsLinux) { "linux" } elseif ($IsMacOS) { "macos" } else { "windows" }
  }
  switch -Regex ($os) {
    "^(windows|Windows_NT)$" { $os = "windows" }
    "^(linux|Linux|macos|Darwin)$" { throw "install.ps1: this is $($os): use install.sh instead" }
    default { throw "install.ps1: no consensus binary for the system `"$os`" (there are: $available)" }
  }
  $arch = if ($env:CONSENSUS_ARCH) { $env:CONSENSUS_ARCH } else { $env:PROCESSOR_ARCHITECTURE }
  switch -Regex ($arch) {
    "^(AMD64|x64|x86_64)$" { $arch = "x64" }
    # Windows 11 on Arm runs x64 programs under emulation.
    "^(ARM64|arm64|aarch64)$" {
      Write-Host "No Windows arm64 build: installing the x64 one, which Windows 11 runs under emulation"
      $arch = "x64"
    }
    default { throw "install.ps1: no consensus binary for the CPU `"$arch`" on $os (there are: $available)" }
  }
  $file = "consensus-$os-$arch.exe"

  $base = $env:CONSENSUS_BASE_URL
  if (-not $base) {
    if ($repository -notmatch "/") {
      throw "install.ps1: no release to download from: set CONSENSUS_REPOSITORY=OWNER/REPO or CONSENSUS_BASE_URL"
    }
    $base = if ($Version) {
      "https://github.com/$repository/releases/download/$Version"
    } else {
      "https://github.com/$repository/releases/latest/download"
    }
  }
  $base = $base.TrimEnd("/")

  # Windows PowerShell 5.1 does not offer TLS 1.2 by default.
  [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor
    [Net.SecurityProtocolType]::Tls12
  $work = Join-Path ([IO.Path]::GetTempPath()) ("consensus-install-" + [Guid]::NewGuid())
  New-Item -ItemType Directory -Path $work | Out-Null
  try {
    Write-Host "Downloading $file from $base"
    foreach ($name in @("SHA256SUMS", $file)) {
      try {
        Invoke-WebRequest -UseBasicParsing -Uri "$base/$name" -OutFile (Join-Path $work $name)
      } catch {
        throw "install.ps1: cannot download $base/$name ($($_.Exception.Message))"
      }
    }
    # A line of SHA256SUMS is "HASH  NAME" (or "HASH *NAME" for binary mode).
    $expected = $null
    foreach ($line in Get-Content (Join-Path $work "SHA256SUMS")) {
      $fields = -split $line
      if ($fields.Count -ge 2 -and $fields[1].TrimStart("*") -eq $file) {
        $expected = $fields[0].ToLowerInvariant()
        break
      }
    }
    if (-not $expected) { throw "install.ps1: SHA256SUMS has no line for $($file): nothing was installed" }
    $actual = (Get-FileHash -Algorithm SHA256 -Path (Join-Path $work $file)).Hash.ToLowerInvariant()
    if ($actual -ne $expected) {
      throw "install.ps1: checksum mismatch for $($file): SHA256SUMS says $expected, the download is $actual. Nothing was installed."
    }

    New-Item -ItemType Directory -Force -Path $Dir | Out-Null
    $target = Join-Path $Dir "consensus.exe"
    Move-Item -Force -Path (Join-Path $work $file) -Destination $target
    Write-Host "Installed $file as $target"
    & $target --version

    $userPath = [Environment]::GetEnvironmentVariable("Path", "User")
    if ((";$userPath;$env:Path;") -notlike "*;$Dir;*") {
      Write-Host "$Dir is not on your PATH. Add it for your user (then open a new window):"
      Write-Host "  [Environment]::SetEnvironmentVariable('Path', '$Dir;' + [Environment]::GetEnvironmentVariable('Path', 'User'), 'User')"
    } else {
      Write-Host "Run: consensus serve, or consensus join HOST:PORT"
    }
  } finally {
    Remove-Item -Recurse -Force -Path $work -ErrorAction SilentlyContinue
  }
}

Install-Consensus -Dir $Dir -Version $Version
