#!/usr/bin/env bash
# Runs the README's "A tour with curl" block, read from README.md itself (one text, no copy
# to drift), strictly; tests/test_e2e.py runs it against a fresh `defcoop demo`.
set -euo pipefail

# Any answer but a 2xx stops the tour (curl --fail-with-body), except in the steps that show an
# error: those print the status (-w) and check it themselves.
curl() {
  case " $* " in
    *" -w "*) command curl "$@" ;;
    *) command curl --silent --show-error --fail-with-body "$@" && echo ;;
  esac
}

# The tour block: the lines between "## A tour with curl" + "```sh" and the closing "```".
tour=$(awk '/^## A tour with curl$/ {section = 1; next}
            section && /^```sh$/ {inside = 1; next}
            inside && /^```$/ {exit}
            inside {print}' "$(dirname "$0")/../README.md")
[ -n "$tour" ] || { echo "README.md has no tour block" >&2; exit 1; }
eval "$tour"
