#!/usr/bin/python3
# A real SMTP server for the tests (python3-aiosmtpd): every accepted
# message is written to DIR/NNNNNN.eml with X-Envelope-From and
# X-Envelope-To lines in front; recipients matching --reject get 550,
# matching --defer get 451.  Prints nothing; the PID file says it runs.
#   smtp-sink.py --port P --dir D [--reject RE] [--defer RE] [--pidfile F]
#                [--delay SECONDS-PER-MESSAGE]
import argparse, asyncio, os, re, signal, sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

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

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--dir', required=True)
    p.add_argument('--reject')
    p.add_argument('--defer')
    p.add_argument('--pidfile')
    p.add_argument('--delay', type=float, default=0)
    a = p.parse_args()
    sigs = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    c = Controller(Sink(a.dir, a.reject, a.defer, a.delay), hostname='127.0.0.1',
                   port=a.port, server_kwargs={'decode_data': False})
    c.start()
    if a.pidfile:
        with open(a.pidfile + '.tmp', 'w') as f:
            f.write('%d\n' % os.getpid())
        os.rename(a.pidfile + '.tmp', a.pidfile)
    signal.sigwait(sigs)
    c.stop()

if __name__ == '__main__':
    main()
