#!/bin/sh
# The "system browser" of the end-to-end tests ($BROWSER, which the app's `webbrowser` honours):
# it notes each page the app opens, one per line, in $TOKENKEEPER_BROWSER_LOG; the test then
# plays the person at that page over HTTP (tests/e2e/tests/oauth.rs).
printf '%s\n' "$1" >>"${TOKENKEEPER_BROWSER_LOG:?}"
