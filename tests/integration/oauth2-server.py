#!/usr/bin/python3
# A small OAuth2 authorization server for the tests, on loopback:
#   POST /device      device authorization (RFC 8628): interval 1 s
#   POST /token       device_code grant (the first poll of a code gets
#                     authorization_pending, the next one the tokens) and
#                     refresh_token grant (a new access token and, as
#                     Microsoft does, a new refresh token each time; the
#                     old refresh token is spent)
#   POST /introspect  RFC 7662, what Dovecot's oauth2 passdb asks:
#                     {"active": true, "username": USER} for a live token
#   POST /admin/revoke, /admin/restore   the account's grant revoked
#                     (every token refused, invalid_grant) and back
# Every request is one line in DIR/requests.log: "PATH GRANT CLIENT".
#   oauth2-server.py --port P --dir DIR --client-id ID [--user USER]
#                    [--pidfile F]
import argparse, json, os, secrets, signal, threading, time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class State:
    def __init__(self, a):
        self.a, self.lock = a, threading.Lock()
        self.codes = {}        # device_code -> polls so far
        self.refresh = None    # the one live refresh token
        self.access = {}       # access token -> expiry
        self.revoked = False

    def issue(self):
        at = 'at-' + secrets.token_hex(8)
        self.access[at] = time.time() + 3600
        self.refresh = 'rt-' + secrets.token_hex(8)
        return {'token_type': 'Bearer', 'expires_in': 3600,
                'access_token': at, 'refresh_token': self.refresh}

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        st = self.server.state
        n = int(self.headers.get('Content-Length') or 0)
        f = {k: v[0] for k, v in urllib.parse.parse_qs(
            self.rfile.read(n).decode()).items()}
        with st.lock:
            with open(os.path.join(st.a.dir, 'requests.log'), 'a') as log:
                log.write('%s %s %s\n' % (self.path, f.get('grant_type', '-'),
                                          f.get('client_id', '-')))
            code, obj = self.route(st, f)
        self.answer(code, obj)

    def route(self, st, f):
        if self.path == '/admin/revoke':
            st.revoked = True
            return 200, {}
        if self.path == '/admin/restore':
            st.revoked = False
            return 200, {}
        if self.path == '/introspect':
            t = f.get('token', '')
            live = (not st.revoked and t in st.access and
                    st.access[t] > time.time())
            return 200, ({'active': True, 'username': st.a.user}
                         if live else {'active': False})
        if f.get('client_id') != st.a.client_id:
            return 401, {'error': 'invalid_client'}
        if self.path == '/device':
            dc = 'dc-' + secrets.token_hex(8)
            st.codes[dc] = 0
            return 200, {'device_code': dc, 'user_code': 'WDJB-MJHT',
                         'verification_uri': 'http://127.0.0.1/device',
                         'expires_in': 600, 'interval': 1}
        if self.path != '/token':
            return 404, {'error': 'not_found'}
        g = f.get('grant_type')
        if g == 'urn:ietf:params:oauth:grant-type:device_code':
            dc = f.get('device_code')
            if dc not in st.codes:
                return 400, {'error': 'expired_token'}
            st.codes[dc] += 1
            if st.codes[dc] == 1:
                return 400, {'error': 'authorization_pending'}
            del st.codes[dc]
            return 200, st.issue()
        if g == 'refresh_token':
            if st.revoked or f.get('refresh_token') != st.refresh:
                return 400, {'error': 'invalid_grant',
                             'error_description': 'the grant was revoked'}
            return 200, st.issue()
        return 400, {'error': 'unsupported_grant_type'}

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--dir', required=True)
    p.add_argument('--client-id', required=True)
    p.add_argument('--user', default='support')
    p.add_argument('--pidfile')
    a = p.parse_args()
    srv = ThreadingHTTPServer(('127.0.0.1', a.port), Handler)
    srv.state = State(a)
    signal.signal(signal.SIGTERM, lambda *x: threading.Thread(
        target=srv.shutdown).start())
    if a.pidfile:
        with open(a.pidfile + '.tmp', 'w') as f:
            f.write('%d\n' % os.getpid())
        os.rename(a.pidfile + '.tmp', a.pidfile)
    srv.serve_forever()

main()
