#!/bin/sh
# Builds and runs the template unit tests without the autotools build:
#   tests/unit/build-template.sh [--no-run]
# Run from the top of the source tree.  CC and CFLAGS may be overridden.
set -eu
CC=${CC:-gcc}
CFLAGS=${CFLAGS:--Wall -Wextra -Wshadow -Wformat=2 -Werror -g \
    -fsanitize=address,undefined -fno-omit-frame-pointer}
PKGS="glib-2.0 json-glib-1.0"
out=${OUT:-./test-template}
# shellcheck disable=SC2086,SC2046
$CC $CFLAGS -Isrc $(pkg-config --cflags $PKGS) \
    src/template.c src/template_render.c src/template_find.c src/html.c \
    tests/unit/test-template.c \
    $(pkg-config --libs $PKGS) -o "$out"
[ "${1:-}" = --no-run ] && exit 0
exec "$out" --tap
