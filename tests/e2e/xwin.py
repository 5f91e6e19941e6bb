#!/usr/bin/python3
"""Windows as a user's window manager sees them, for the end-to-end tests (python3-xlib).

xwin.py count TITLE   prints how many mapped top-level windows have this title
xwin.py close TITLE   asks each such window to close (WM_DELETE_WINDOW, as a close button does)
xwin.py size TITLE    prints the first such window's size as WIDTHxHEIGHT
xwin.py resize TITLE W H   resizes each such window, as a user dragging its corner would
"""

import sys

from Xlib import X, display, error, protocol


def windows(d, title):
    found = []
    stack = [d.screen().root]
    while stack:
        w = stack.pop()
        # A window may go away while we walk the tree (BadWindow): skip it.
        try:
            children = w.query_tree().children
        except error.XError:
            continue
        stack.extend(children)
        try:
            name = w.get_wm_name()
            mapped = w.get_attributes().map_state == X.IsViewable
        except error.XError:
            continue
        if name == title and mapped:
            found.append(w)
    return found


def main():
    command, title = sys.argv[1], sys.argv[2]
    d = display.Display()
    found = windows(d, title)
    if command == "count":
        print(len(found))
    elif command == "close":
        wm_protocols = d.intern_atom("WM_PROTOCOLS")
        wm_delete = d.intern_atom("WM_DELETE_WINDOW")
        for w in found:
            event = protocol.event.ClientMessage(
                window=w,
                client_type=wm_protocols,
                data=(32, [wm_delete, X.CurrentTime, 0, 0, 0]),
            )
            w.send_event(event)
        d.flush()
        print(len(found))
    elif command == "size":
        if not found:
            sys.exit(f"no window titled {title}")
        g = found[0].get_geometry()
        print(f"{g.width}x{g.height}")
    elif command == "resize":
        width, height = int(sys.argv[3]), int(sys.argv[4])
        for w in found:
            w.configure(width=width, height=height)
        d.sync()
        print(len(found))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
