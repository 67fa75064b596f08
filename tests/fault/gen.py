#!/usr/bin/env python3
"""Writes N test messages into DIR and their delivery order to stdout.

Threads of one original and up to three replies (In-Reply-To and
References), every third thread with an attachment, every 25th file not
mail at all (quarantined), and after every fifth thread a redelivery of
an earlier file.  --order reply-first puts each thread's replies before its
original (the replies' race with their original).
"""
import argparse
import base64
import os
import random


def message(i, thread, k, customer):
    mid = f"<f{thread}.{k}.{i}@customer{customer}.test>"
    lines = [
        f"From: Customer {customer} <c{customer}@customer{customer}.test>",
        "To: support@helpdesk.test",
        f"Date: Mon, 23 Nov 2026 10:{k:02d}:{thread % 60:02d} +0000",
        f"Message-ID: {mid}",
    ]
    if k == 0:
        lines.append(f"Subject: Problem {thread}")
    else:
        orig = f"<f{thread}.0.{thread * 4}@customer{customer}.test>"
        lines += [f"Subject: Re: Problem {thread}",
                  f"In-Reply-To: {orig}", f"References: {orig}"]
    lines.append("MIME-Version: 1.0")
    body = f"Message {k} of thread {thread}: the printer on floor " \
        f"{thread % 7} prints nothing since the update.\n"
    if thread % 3 == 0:
        b = f"b{thread}x{k}"
        att = base64.encodebytes(os.urandom(600) + bytes([thread % 256]))
        lines += [f'Content-Type: multipart/mixed; boundary="{b}"', "",
                  f"--{b}", "Content-Type: text/plain; charset=utf-8", "",
                  body, f"--{b}",
                  "Content-Type: application/octet-stream; name=log.bin",
                  "Content-Transfer-Encoding: base64", "",
                  att.decode(), f"--{b}--"]
    else:
        lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("dir")
    ap.add_argument("--order", default="original-first")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    order = []
    i = thread = 0
    while i < a.n:
        thread += 1
        replies = rnd.randint(0, 3)
        files = []
        for k in range(replies + 1):
            i += 1
            path = os.path.join(a.dir, f"{i:05d}.eml")
            with open(path, "w") as f:
                if i % 25 == 0:
                    f.write(f"not mail {i}\n\x01\x02 binary junk {i}\n")
                else:
                    # The original's Message-ID carries thread * 4 so
                    # that replies can name it before it exists.
                    f.write(message(thread * 4 if k == 0 else i, thread,
                                    k, thread % 40))
            files.append(path)
        if a.order == "reply-first":
            files = files[1:] + files[:1]
        order += files
        if thread % 5 == 0:
            order.append(order[rnd.randrange(len(order))])
    print("\n".join(order))


if __name__ == "__main__":
    main()
