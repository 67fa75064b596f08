#!/usr/bin/python3
# A real SMTP server for the tests (python3-aiosmtpd): every accepted
# message is written to DIR/NNNNNN.eml with X-Envelope-From and
# X-Envelope-To lines in front; recipients matching --reject get 550,
# matching --defer get 451.  Prints nothing; the PID file says it runs.
# With --xoauth2 URL the sink offers AUTH XOAUTH2 only and wants it
# before MAIL: the bearer is checked at URL (RFC 7662 introspection, as
# Dovecot does it), and "USER TOKEN ok|refused" goes to D/xoauth2.log.
#   smtp-sink.py --port P --dir D [--reject RE] [--defer RE] [--pidfile F]
#                [--delay SECONDS-PER-MESSAGE] [--xoauth2 URL]
import argparse, asyncio, base64, json, os, re, signal, sys
import urllib.parse, urllib.request

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, MISSING as MISSING_

class Sink:
    def __init__(self, d, reject, defer, delay):
        self.dir, self.reject, self.defer, self.n = d, reject, defer, 0
        self.delay = delay

    async def handle_RCPT(self, server, session, envelope, address, opts):
        if self.reject and re.search(self.reject, address):
            return '550 5.1.1 <%s>: Recipient address rejected' % address
        if self.defer and re.search(self.defer, address):
            return '451 4.3.0 <%s>: try again later' % address
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.n += 1
        name = '%06d-%d' % (self.n, os.getpid())
        tmp = os.path.join(self.dir, '.' + name)
        with open(tmp, 'wb') as f:
            f.write(b'X-Envelope-From: ' + envelope.mail_from.encode() +
                    b'\r\n')
            for r in envelope.rcpt_tos:
                f.write(b'X-Envelope-To: ' + r.encode() + b'\r\n')
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.dir, name + '.eml'))
        return '250 2.0.0 Ok: queued as %s' % name

class OAuthSink(Sink):
    introspect = None

    def check(self, user, token):
        data = urllib.parse.urlencode({'token': token}).encode()
        with urllib.request.urlopen(self.introspect, data, timeout=10) as r:
            a = json.loads(r.read())
        return a.get('active') is True and a.get('username') == user

    async def auth_XOAUTH2(self, server, args):
        # The initial response in the command, else after a "334 ";
        # challenge_auth() gives it base64-decoded.
        if len(args) == 2:
            try:
                raw = base64.b64decode(args[1], validate=True)
            except Exception:
                return AuthResult(success=False, handled=False)
        else:
            raw = await server.challenge_auth('', encode_to_b64=False)
            if raw is MISSING_:
                return AuthResult(success=False, handled=True)
        try:
            f = dict(p.split('=', 1) for p in raw.decode().split('\x01')
                     if p)
            user, token = f['user'], f['auth'].split(' ', 1)[1]
        except Exception:
            return AuthResult(success=False, handled=False)
        try:
            ok = await asyncio.get_running_loop().run_in_executor(
                None, self.check, user, token)
        except Exception:
            ok = False
        with open(os.path.join(self.dir, 'xoauth2.log'), 'a') as log:
            log.write('%s %s %s\n' % (user, token, 'ok' if ok else 'refused'))
        return AuthResult(success=ok, handled=False, auth_data=user)

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--dir', required=True)
    p.add_argument('--reject')
    p.add_argument('--defer')
    p.add_argument('--pidfile')
    p.add_argument('--delay', type=float, default=0)
    p.add_argument('--xoauth2')
    a = p.parse_args()
    kw = {'decode_data': False}
    if a.xoauth2:
        # AUTH without TLS is the point here (loopback): no warnings.
        import logging, warnings
        warnings.simplefilter('ignore')
        logging.getLogger('mail.log').setLevel(logging.ERROR)
        OAuthSink.introspect = a.xoauth2
        sink = OAuthSink(a.dir, a.reject, a.defer, a.delay)
        kw.update(auth_required=True, auth_require_tls=False,
                  auth_exclude_mechanism=['LOGIN', 'PLAIN'])
    else:
        sink = Sink(a.dir, a.reject, a.defer, a.delay)
    sigs = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    c = Controller(sink, hostname='127.0.0.1', port=a.port,
                   server_kwargs=kw)
    c.start()
    if a.pidfile:
        with open(a.pidfile + '.tmp', 'w') as f:
            f.write('%d\n' % os.getpid())
        os.rename(a.pidfile + '.tmp', a.pidfile)
    signal.sigwait(sigs)
    c.stop()

if __name__ == '__main__':
    main()
