"""countproxy.py - a TCP proxy in front of a PostgreSQL server that writes
down every simple-query request (protocol message 'Q') a client sends, one
line each, so that a test can count the requests a run makes.

  countproxy.py UPSTREAM_HOST UPSTREAM_PORT PORT_FILE LOG_FILE [MATCH COMMAND]

Listens on a free port of 127.0.0.1 and writes it to PORT_FILE.  LOG_FILE
gets "Q <text>" per request, newlines as spaces.  With MATCH and COMMAND,
the first request whose text holds MATCH waits until COMMAND (a shell
command) has run: another client acting between two requests.  Connect
with sslmode=disable: the proxy reads the plain protocol."""
import os
import socket
import struct
import subprocess
import sys
import threading

upstream = (sys.argv[1], int(sys.argv[2]))
port_file, log_file = sys.argv[3], sys.argv[4]
hook = sys.argv[5:7] if len(sys.argv) >= 7 else None
lock = threading.Lock()
fired = []


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def note(text):
    with lock:
        with open(log_file, "a") as f:
            f.write("Q " + text.replace("\n", " ") + "\n")
        if hook and not fired and hook[0] in text:
            fired.append(1)
            subprocess.run(hook[1], shell=True, check=False)


def client_to_server(c, s):
    try:
        started = False
        while not started:  # SSLRequest / GSSENCRequest, then the startup message
            head = recv_exact(c, 8)
            length, code = struct.unpack("!ii", head)
            s.sendall(head + recv_exact(c, length - 8))
            started = code not in (80877103, 80877104)
        while True:
            head = recv_exact(c, 5)
            body = recv_exact(c, struct.unpack("!i", head[1:])[0] - 4)
            if head[:1] == b"Q":
                note(body.rstrip(b"\0").decode("utf-8", "replace"))
            s.sendall(head + body)
    except (EOFError, OSError):
        pass
    finally:
        for x in (c, s):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def server_to_client(s, c):
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            c.sendall(data)
    except OSError:
        pass


def serve(c):
    s = socket.create_connection(upstream)
    threading.Thread(target=server_to_client, args=(s, c), daemon=True).start()
    client_to_server(c, s)


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
with open(port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
