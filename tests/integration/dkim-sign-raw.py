"""A DKIM signer with nothing filled in for the caller (relaxed/relaxed,
rsa-sha256, RSA by the openssl command): the h= list as given, so a
signature that leaves From: out can be made, which OpenDKIM's signer
refuses to write.

usage: dkim-sign-raw.py KEYFILE DOMAIN SELECTOR H-LIST < MESSAGE > SIGNED
"""
import base64
import hashlib
import re
import subprocess
import sys


def canon_header(field):
    name, value = field.split(":", 1)
    value = re.sub(r"[ \t]+", " ", value.replace("\r\n", "")).strip()
    return name.strip().lower() + ":" + value


def main():
    keyfile, domain, selector, hlist = sys.argv[1:5]
    raw = sys.stdin.buffer.read().decode().replace("\r\n", "\n")
    head, body = raw.split("\n\n", 1)
    fields = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and fields:
            fields[-1] += "\r\n" + line
        else:
            fields.append(line)
    lines = [re.sub(r"[ \t]+", " ", l).rstrip() for l in body.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    cbody = "".join(l + "\r\n" for l in lines).encode()
    bh = base64.b64encode(hashlib.sha256(cbody).digest()).decode()
    sig = ("v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=%s; h=%s; "
           "bh=%s; b=" % (domain, selector, hlist, bh))
    data = ""
    used = {}
    for h in hlist.split(":"):
        same = [f for f in fields
                if f.split(":", 1)[0].strip().lower() == h.lower()]
        k = used.get(h.lower(), 0)
        used[h.lower()] = k + 1
        if k < len(same):	# bottom-up, RFC 6376 5.4.2
            data += canon_header(same[-1 - k]) + "\r\n"
    data += canon_header("DKIM-Signature: " + sig)
    b = subprocess.run(["openssl", "dgst", "-sha256", "-sign", keyfile],
                       input=data.encode(), capture_output=True,
                       check=True).stdout
    out = ("DKIM-Signature: " + sig + base64.b64encode(b).decode() +
           "\r\n" + "\r\n".join(fields) + "\r\n\r\n" +
           body.replace("\n", "\r\n"))
    sys.stdout.buffer.write(out.encode())


main()
