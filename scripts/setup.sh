#!/usr/bin/env bash
# Installs what Switchyard needs to build on Debian (run as root): the SQLite and PCRE2
# development files and pkg-config; with --tests also PostgreSQL's server, which the tests
# start a throw-away cluster of. Does nothing when they are already there.
set -euo pipefail

packages=(libsqlite3-dev libpcre2-dev pkg-config)
if [ "${1:-}" = "--tests" ]; then
    packages+=(postgresql)
fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "setup: add /opt/swift/usr/bin to PATH" >&2
    else
        echo "setup: the Swift toolchain (6.0 or later) is required: https://www.swift.org/install/" >&2
    fi
    exit 1
fi
