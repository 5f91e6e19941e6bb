#!/usr/bin/python3
"""A tray host for the end-to-end tests, over D-Bus itself (python3-dbus), as a desktop's
panel sees TokenKeeper's tray: a StatusNotifierWatcher that items register with, and the
calls a panel makes on an item and its com.canonical.dbusmenu menu.

  sni.py watcher         serves org.kde.StatusNotifierWatcher (with a host registered) until
                         killed; prints "ready", then "registered SERVICE" per item
  sni.py items           prints the registered items' services, one a line
  sni.py props           prints the first item's Status, Title and ToolTip as JSON
  sni.py menu            prints the first item's menu as JSON: [{id, label, enabled, children}]
  sni.py click LABEL...  clicks the item at this label path ("redis-prod ·" matches by prefix),
                         as a panel does ("clicked" event, after AboutToShow)
"""

import json
import sys

import dbus
import dbus.service

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
MENU = "com.canonical.dbusmenu"
ITEM = "org.kde.StatusNotifierItem"


def watcher():
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()

    class Watcher(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, WATCHER_PATH)
            self.items = []

        @dbus.service.method(WATCHER, in_signature="s", sender_keyword="sender")
        def RegisterStatusNotifierItem(self, service, sender=None):
            # ksni registers its well-known name; a path means the sender's own name.
            name = service if not service.startswith("/") else sender
            if name not in self.items:
                self.items.append(name)
            print(f"registered {name}", flush=True)
            self.StatusNotifierItemRegistered(name)

        @dbus.service.method(WATCHER, in_signature="s")
        def RegisterStatusNotifierHost(self, service):
            pass

        @dbus.service.signal(WATCHER, signature="s")
        def StatusNotifierItemRegistered(self, name):
            pass

        @dbus.service.signal(WATCHER, signature="s")
        def StatusNotifierItemUnregistered(self, name):
            pass

        @dbus.service.signal(WATCHER, signature="")
        def StatusNotifierHostRegistered(self):
            pass

        @dbus.service.method(
            dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v"
        )
        def Get(self, interface, prop):
            return self.GetAll(interface)[prop]

        @dbus.service.method(
            dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}"
        )
        def GetAll(self, interface):
            return {
                "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
                "IsStatusNotifierHostRegistered": dbus.Boolean(True),
                "ProtocolVersion": dbus.Int32(0),
            }

    w = Watcher()

    def gone(name, old, new):
        if new == "" and name in w.items:
            w.items.remove(name)
            w.StatusNotifierItemUnregistered(name)

    bus.add_signal_receiver(gone, "NameOwnerChanged", "org.freedesktop.DBus")
    name = dbus.service.BusName(WATCHER, bus)  # kept: the name goes with this object
    print("ready", flush=True)
    GLib.MainLoop().run()
    del name


def first_item(bus):
    proxy = bus.get_object(WATCHER, WATCHER_PATH)
    items = proxy.Get(
        WATCHER, "RegisteredStatusNotifierItems", dbus_interface=dbus.PROPERTIES_IFACE
    )
    if not items:
        sys.exit("no item registered")
    return str(items[0])


def layout(node):
    _id, props, children = node
    return {
        "id": int(_id),
        "label": str(props.get("label", "")),
        "enabled": bool(props.get("enabled", True)),
        "separator": str(props.get("type", "")) == "separator",
        "children": [layout(c) for c in children],
    }


def menu(bus, service):
    obj = bus.get_object(service, "/MenuBar")
    _rev, root = obj.GetLayout(
        0, -1, dbus.Array([], signature="s"), dbus_interface=MENU
    )
    return layout(root)["children"], obj


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "watcher":
        return watcher()
    bus = dbus.SessionBus()
    if command == "items":
        proxy = bus.get_object(WATCHER, WATCHER_PATH)
        for item in proxy.Get(
            WATCHER,
            "RegisteredStatusNotifierItems",
            dbus_interface=dbus.PROPERTIES_IFACE,
        ):
            print(item)
        return
    service = first_item(bus)
    if command == "props":
        obj = bus.get_object(service, "/StatusNotifierItem")
        props = obj.GetAll(ITEM, dbus_interface=dbus.PROPERTIES_IFACE)
        tip = props.get("ToolTip")
        print(
            json.dumps(
                {
                    "Status": str(props.get("Status", "")),
                    "Title": str(props.get("Title", "")),
                    "ToolTip": str(tip[2]) + "\n" + str(tip[3]) if tip else "",
                    "IconPixmaps": len(props.get("IconPixmap", [])),
                }
            )
        )
    elif command == "menu":
        items, _ = menu(bus, service)
        print(json.dumps(items))
    elif command == "click":
        items, obj = menu(bus, service)
        node = None
        for part in sys.argv[2:]:
            matches = [
                i
                for i in items
                if i["label"] == part
                or (part.endswith("·") and i["label"].startswith(part))
            ]
            if not matches:
                sys.exit(f"no menu item {part!r} among {[i['label'] for i in items]}")
            node = matches[0]
            obj.AboutToShow(dbus.Int32(node["id"]), dbus_interface=MENU)
            items = node["children"]
        if node is None:
            sys.exit("click what?")
        obj.Event(
            dbus.Int32(node["id"]),
            "clicked",
            dbus.String("", variant_level=1),
            dbus.UInt32(0),
            dbus_interface=MENU,
        )
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
