#!/usr/bin/python3
"""Watches who owns the CLIPBOARD selection, through XFixes (python3-xlib), for the end-to-end
tests. Prints "ready" once watching, then one line per change:

  set OWNER         a client set the owner (OWNER is a window id; 0: the owner cleared it)
  window-destroyed  the owner's window went away while it still owned the selection
  client-closed     the owner's connection closed while it still owned the selection (a killed
                    process: a clipboard manager may then save what it served)
"""

import sys

from Xlib import display
from Xlib.ext import xfixes

d = display.Display()
if not d.has_extension("XFIXES"):
    sys.exit("no XFIXES extension")
d.xfixes_query_version()
root = d.screen().root
clipboard = d.intern_atom("CLIPBOARD")
d.xfixes_select_selection_input(
    root,
    clipboard,
    xfixes.XFixesSetSelectionOwnerNotifyMask
    | xfixes.XFixesSelectionWindowDestroyNotifyMask
    | xfixes.XFixesSelectionClientCloseNotifyMask,
)
d.sync()
print("ready", flush=True)
names = {
    xfixes.XFixesSelectionWindowDestroyNotify: "window-destroyed",
    xfixes.XFixesSelectionClientCloseNotify: "client-closed",
}
while True:
    e = d.next_event()
    sub = getattr(e, "sub_code", None)
    if sub == xfixes.XFixesSetSelectionOwnerNotify:
        print(f"set {e.owner.id if hasattr(e.owner, 'id') else e.owner}", flush=True)
    elif sub in names:
        print(names[sub], flush=True)
