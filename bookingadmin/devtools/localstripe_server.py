"""Run localstripe (a fake Stripe API server) on 127.0.0.1, its state in a folder we choose.

Run it with the localstripe virtualenv's Python, never the app's (localstripe pins aiohttp):

    .venv-localstripe/bin/python bookingadmin/devtools/localstripe_server.py \
        --port 8420 --state-dir instance/localstripe

Why a launcher instead of the `localstripe` command:

* localstripe saves its whole store with pickle to the fixed path /tmp/localstripe.pickle after
  every write (see ``localstripe.resources.Store``), so two servers on one machine would overwrite
  each other's state. Here the two methods that read and write that file are replaced with ones
  that use ``<state-dir>/localstripe.pickle``.
* localstripe listens on every interface (``::``); this binds 127.0.0.1 only.
* It starts from scratch unless ``--load`` is given (the stock command loads the old pickle
  unless ``--from-scratch``).

Prints ``localstripe listening on http://127.0.0.1:N`` on stdout once the socket is bound.
This file must not import bookingadmin: it runs in the other virtualenv, as a script.
"""

import argparse
import logging
import os
import pickle
import socket
import sys


def _patch_state_path(state_file, persist):
    from localstripe import resources

    def try_load_from_disk(self):
        try:
            with open(state_file, "rb") as f:
                old = pickle.load(f)
        except FileNotFoundError:
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self):
        if not persist:
            return
        tmp = state_file + ".tmp"
        with open(tmp, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, state_file)

    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk
    return resources.store


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--state-dir",
        required=True,
        help="folder for localstripe.pickle (created if missing)",
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="load the state left in --state-dir by an earlier run (default: start from scratch)",
    )
    parser.add_argument(
        "--no-persist",
        action="store_true",
        help="keep state in memory only (faster; nothing is written to --state-dir)",
    )
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)

    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    state_file = os.path.join(state_dir, "localstripe.pickle")

    store = _patch_state_path(state_file, persist=not args.no_persist)
    # Import the server only after the patch: it is where the routes and middlewares live.
    from aiohttp import web
    from localstripe import server

    if args.load:
        store.try_load_from_disk()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]

    access_log = None
    if not args.quiet:
        access_log = logging.getLogger("aiohttp.access")
        access_log.setLevel(logging.DEBUG)
        access_log.addHandler(logging.StreamHandler())

    print(f"localstripe listening on http://{args.host}:{port} (state: {state_file})", flush=True)
    web.run_app(server.app, sock=sock, access_log=access_log, print=None, handle_signals=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
