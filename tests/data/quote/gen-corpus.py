#!/usr/bin/env python3
"""Generates tests/data/quote/gen-*/: one case per (language x client
format), each NAME.txt (plain text) or NAME.html (an HTML body) with
NAME.expected (the new text) and, where the message has one,
NAME.signature.  Run from the top directory:
    python3 tests/data/quote/gen-corpus.py
The outputs are committed; rerun after editing the tables below.  The
phrases are what the clients write in each language (written for this
corpus, not copied from another project's fixtures)."""
import os
import shutil
import textwrap

ADDR = "Ann Lee <ann@example.com>"

# lang: (reply, attribution, (from, sent, to, subject), separator,
#        forward, mobile, quoted question)
LANGS = {
 "en": ("Thanks, the printer works again.",
        "On Mon, Jan 1, 2024 at 10:00 AM " + ADDR + " wrote:",
        ("From", "Sent", "To", "Subject"), "Original Message",
        "Forwarded message", "Sent from my iPhone",
        "Could you restart the printer?"),
 "de": ("Danke, der Drucker geht wieder.",
        "Am Mo., 1. Jan. 2024 um 10:00 Uhr schrieb " + ADDR + ":",
        ("Von", "Gesendet", "An", "Betreff"), "Ursprüngliche Nachricht",
        "Weitergeleitete Nachricht", "Von meinem iPhone gesendet",
        "Können Sie den Drucker neu starten?"),
 "fr": ("Merci, l'imprimante marche de nouveau.",
        "Le lun. 1 janv. 2024 à 10:00, " + ADDR + " a écrit :",
        ("De", "Envoyé", "À", "Objet"), "Message d'origine",
        "Message transféré", "Envoyé de mon iPhone",
        "Pouvez-vous redémarrer l'imprimante ?"),
 "es": ("Gracias, la impresora ya funciona.",
        "El lun, 1 ene 2024 a las 10:00, Ann Lee (<ann@example.com>) escribió:",
        ("De", "Enviado el", "Para", "Asunto"), "Mensaje original",
        "Mensaje reenviado", "Enviado desde mi iPhone",
        "¿Puede reiniciar la impresora?"),
 "it": ("Grazie, la stampante funziona di nuovo.",
        "Il giorno lun 1 gen 2024 alle ore 10:00 " + ADDR + " ha scritto:",
        ("Da", "Inviato", "A", "Oggetto"), "Messaggio originale",
        "Messaggio inoltrato", "Inviato da iPhone",
        "Può riavviare la stampante?"),
 "pt": ("Obrigado, a impressora voltou a funcionar.",
        "Em seg., 1 de jan. de 2024 às 10:00, " + ADDR + " escreveu:",
        ("De", "Enviado", "Para", "Assunto"), "Mensagem original",
        "Mensagem encaminhada", "Enviado do meu iPhone",
        "Pode reiniciar a impressora?"),
 "nl": ("Bedankt, de printer werkt weer.",
        "Op ma 1 jan 2024 om 10:00 schreef " + ADDR + ":",
        ("Van", "Verzonden", "Aan", "Onderwerp"), "Oorspronkelijk bericht",
        "Doorgestuurd bericht", "Verzonden vanaf mijn iPhone",
        "Kunt u de printer herstarten?"),
 "da": ("Tak, printeren virker igen.",
        "Den man. 1. jan. 2024 kl. 10.00 skrev " + ADDR + ":",
        ("Fra", "Sendt", "Til", "Emne"), "Oprindelig meddelelse",
        "Videresendt meddelelse", "Sendt fra min iPhone",
        "Kan du genstarte printeren?"),
 "no": ("Takk, skriveren virker igjen.",
        "man. 1. jan. 2024 kl. 10:00 skrev " + ADDR + ":",
        ("Fra", "Sendt", "Til", "Emne"), "Opprinnelig melding",
        "Videresendt melding", "Sendt fra min iPhone",
        "Kan du starte skriveren på nytt?"),
 "sv": ("Tack, skrivaren fungerar igen.",
        "Den mån 1 jan. 2024 kl 10:00 skrev " + ADDR + ":",
        ("Från", "Skickat", "Till", "Ämne"), "Ursprungligt meddelande",
        "Vidarebefordrat meddelande", "Skickat från min iPhone",
        "Kan du starta om skrivaren?"),
 "fi": ("Kiitos, tulostin toimii taas.",
        "ma 1. tammik. 2024 klo 10.00 Ann Lee (ann@example.com) kirjoitti:",
        ("Lähettäjä", "Lähetetty", "Vastaanottaja", "Aihe"),
        "Alkuperäinen viesti", "Välitetty viesti", "Lähetetty iPhonesta",
        "Voitko käynnistää tulostimen uudelleen?"),
 "pl": ("Dziękuję, drukarka znowu działa.",
        "pon., 1 sty 2024 o 10:00 " + ADDR + " napisał(a):",
        ("Od", "Wysłano", "Do", "Temat"), "Wiadomość oryginalna",
        "Wiadomość przekazana dalej", "Wysłane z iPhone'a",
        "Czy może Pan zrestartować drukarkę?"),
 "cs": ("Děkuji, tiskárna opět funguje.",
        "po 1. 1. 2024 v 10:00 odesílatel " + ADDR + " napsal:",
        ("Od", "Odesláno", "Komu", "Předmět"), "Původní zpráva",
        "Přeposlaná zpráva", "Odesláno z iPhonu",
        "Můžete restartovat tiskárnu?"),
 "ru": ("Спасибо, принтер снова работает.",
        "1 января 2024 г., в 10:00, " + ADDR + " написал:",
        ("От", "Отправлено", "Кому", "Тема"), "Исходное сообщение",
        "Пересылаемое сообщение", "Отправлено с iPhone",
        "Можете перезапустить принтер?"),
 "uk": ("Дякую, принтер знову працює.",
        "пн, 1 січ. 2024 о 10:00 " + ADDR + " пише:",
        ("Від", "Надіслано", "Кому", "Тема"), "Оригінальне повідомлення",
        "Переслане повідомлення", "Надіслано з iPhone",
        "Можете перезапустити принтер?"),
 "tr": ("Teşekkürler, yazıcı yine çalışıyor.",
        "1 Oca 2024 Pzt, saat 10:00 tarihinde " + ADDR + " şunu yazdı:",
        ("Kimden", "Gönderildi", "Kime", "Konu"), "Özgün ileti",
        "İletilen ileti", "iPhone'umdan gönderildi",
        "Yazıcıyı yeniden başlatabilir misiniz?"),
 "ja": ("ありがとうございます。プリンターが直りました。",
        "2024/01/01 10:00、" + ADDR + " のメッセージ:",
        ("差出人", "送信日時", "宛先", "件名"), "元のメッセージ",
        "転送されたメッセージ", "iPhoneから送信",
        "プリンターを再起動していただけますか？"),
 "zh": ("谢谢，打印机又能用了。",
        ADDR + " 于2024年1月1日周一 10:00写道：",
        ("发件人", "发送时间", "收件人", "主题"), "原始邮件",
        "转发的邮件", "发自我的iPhone",
        "可以重启打印机吗？"),
 "ko": ("감사합니다. 프린터가 다시 작동합니다.",
        "2024년 1월 1일 (월) 오전 10:00, " + ADDR + "님이 작성:",
        ("보낸 사람", "보낸 날짜", "받는 사람", "제목"), "원본 메시지",
        "전달된 메시지", "iPhone에서 보냄",
        "프린터를 다시 시작해 주시겠어요?"),
 "vi": ("Cảm ơn, máy in đã hoạt động lại.",
        "Vào Th 2, 1 thg 1, 2024 vào lúc 10:00 " + ADDR + " đã viết:",
        ("Từ", "Đã gửi", "Đến", "Chủ đề"), "Thư gốc",
        "Thư được chuyển tiếp", "Gửi từ iPhone của tôi",
        "Bạn có thể khởi động lại máy in không?"),
 "ca": ("Gràcies, la impressora torna a funcionar.",
        "El dl., 1 de gen. 2024 a les 10:00, Ann Lee (<ann@example.com>) va escriure:",
        ("De", "Enviat", "Per a", "Assumpte"), "Missatge original",
        "Missatge reenviat", "Enviat des del meu iPhone",
        "Pot reiniciar la impressora?"),
}

SIG = "Bob Smith\nACME Corp"
OLD_BODY = "Old text of the ticket.\nSecond line of it."


def wrap(attr, parts):
    """attr on `parts` lines, cut at spaces (as Gmail and Outlook do)."""
    words = attr.split(" ")
    n = len(words)
    cuts = [round(n * k / parts) for k in range(parts + 1)]
    return "\n".join(" ".join(words[cuts[k]:cuts[k + 1]])
                     for k in range(parts))


def header_block(h, bold=False):
    f = (lambda k: "*%s:*" % k) if bold else (lambda k: "%s:" % k)
    return ("%s %s\n%s 1.1.2024 10:00\n%s Bob <bob@example.org>\n"
            "%s RE: [Support #12] Printer\n" %
            (f(h[0]), ADDR, f(h[1]), f(h[2]), f(h[3])))


def cases(lang, t):
    reply, attr, hdr, sep, fwd, mobile, q = t
    quoted = "> %s\n>\n> %s\n" % (q, ADDR.split(" <")[0])
    c = {}
    c["gmail"] = ("%s\n\n%s\n%s" % (reply, attr, quoted), reply, None)
    c["gmail-noblank"] = ("%s\n%s\n%s" % (reply, attr, quoted), reply, None)
    c["shared-line"] = ("%s %s\n%s" % (reply, attr, quoted), reply, None)
    c["wrapped2"] = ("%s\n\n%s\n\n%s" % (reply, wrap(attr, 2), quoted),
                     reply, None)
    c["wrapped3"] = ("%s\n\n%s\n%s" % (reply, wrap(attr, 3), quoted),
                     reply, None)
    c["unprefixed"] = ("%s\n\n%s\n\n%s\n" % (reply, attr, OLD_BODY),
                       reply, None)
    c["outlook"] = ("%s\n\n%s\n%s\n" % (reply, header_block(hdr), OLD_BODY),
                    reply, None)
    c["outlook-bold"] = ("%s\n\n%s\n%s\n" %
                         (reply, header_block(hdr, True), OLD_BODY),
                         reply, None)
    c["underscore"] = ("%s\n\n%s\n%s\n%s\n" %
                       (reply, "_" * 32, header_block(hdr), OLD_BODY),
                       reply, None)
    c["separator"] = ("%s\n\n-----%s-----\n%s\n%s\n" %
                      (reply, sep, header_block(hdr), OLD_BODY), reply, None)
    c["signature"] = ("%s\n\n-- \n%s\n\n%s\n%s" % (reply, SIG, attr, quoted),
                      reply, SIG)
    c["mobile"] = ("%s\n\n%s\n\n%s\n%s" % (reply, mobile, attr, quoted),
                   reply, mobile)
    body = "%s\n\n---------- %s ---------\n%s\n%s" % (
        reply, fwd, header_block(hdr), OLD_BODY)
    c["forward"] = (body + "\n", body, None)
    c["bottom-post"] = ("%s\n%s\n%s\n" % (attr, quoted, reply), reply, None)
    inline = "> %s\n%s\n\n> %s\n%s" % (q, reply, q, reply)
    # inline answers keep the quotes they answer and the attribution
    # that says who asked (views fold them)
    c["inline"] = ("%s\n%s\n\n%s" % (attr, inline, quoted),
                   "%s\n%s" % (attr, inline), None)
    return c


def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_cases(lang, t):
    """The same reply as HTML from each client (NAME.html)."""
    reply, attr, hdr, sep, fwd, mobile, q = t
    r, a, qq = esc(reply), esc(attr), esc(q)
    bq = ('<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">'
          '<div dir="ltr">%s</div></blockquote>' % qq)
    c = {}
    c["html-gmail"] = (
        '<div dir="ltr">%s</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">%s<br></div>%s</div>' %
        (r, a, bq), reply)
    # text after the gmail_quote blockquote is the sender's: kept
    c["html-gmail-after"] = (
        '<div dir="ltr">%s<br><div class="gmail_quote"><div dir="ltr" '
        'class="gmail_attr">%s<br></div>%s</div><div>%s</div></div>' %
        (r, a, bq, r), reply + "\n" + reply)
    c["html-outlook"] = (
        '<html><body><div class="WordSection1"><p class="MsoNormal">%s'
        '</p></div><hr style="display:inline-block;width:98%%" '
        'tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>%s:</b> %s'
        '<br><b>%s:</b> 1.1.2024 10:00<br><b>%s:</b> Bob<br><b>%s:</b> '
        'Printer</div><div>%s</div></body></html>' %
        (r, hdr[0], esc(ADDR), hdr[1], hdr[2], hdr[3], qq), reply)
    c["html-apple"] = (
        '<html><body><div>%s</div><div><br><blockquote type="cite">'
        '<div>%s</div><br><div>%s</div></blockquote></div></body></html>' %
        (r, a, qq), reply)
    c["html-thunderbird"] = (
        '<html><body><p>%s</p><div class="moz-cite-prefix">%s<br></div>'
        '<blockquote type="cite" cite="mid:x@y">%s</blockquote></body>'
        '</html>' % (r, a, qq), reply)
    c["html-yahoo"] = (
        '<html><body><div class="ydp1 yahoo-style-wrap"><div>%s</div>'
        '</div><div id="yahoo_quoted_1" class="yahoo_quoted"><div>%s</div>'
        '<div>%s</div></div></body></html>' % (r, a, qq), reply)
    c["html-proton"] = (
        '<div>%s</div><div class="protonmail_quote">%s<br>'
        '<blockquote class="protonmail_quote" type="cite">%s</blockquote>'
        '</div>' % (r, a, qq), reply)
    # no marker (Windows Mail, mail.ru, Yandex layouts): the text rules
    c["html-header-div"] = (
        '<div>%s</div><div><br></div><div style="border:none;border-top:'
        'solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><b>%s:</b> %s<br>'
        '<b>%s:</b> 1.1.2024 10:00<br><b>%s:</b> Bob<br><b>%s:</b> Printer'
        '</div><div><br></div><div>%s</div>' %
        (r, hdr[0], esc(ADDR), hdr[1], hdr[2], hdr[3], qq), reply)
    c["html-attr-div"] = (
        '<div>%s</div><div><br></div><div>%s</div><blockquote style='
        '"border-left:1px solid #0857A6;margin:10px;padding:0 0 0 10px">'
        '<div>%s</div></blockquote>' % (r, a, qq), reply)
    return c


def main():
    top = os.path.dirname(os.path.abspath(__file__))
    n = 0
    for lang, t in LANGS.items():
        for fmt, (text, expected, sig) in cases(lang, t).items():
            d = os.path.join(top, "gen-" + fmt)
            os.makedirs(d, exist_ok=True)
            base = os.path.join(d, lang)
            with open(base + ".txt", "w") as f:
                f.write(text)
            with open(base + ".expected", "w") as f:
                f.write(expected + "\n")
            if sig is not None:
                with open(base + ".signature", "w") as f:
                    f.write(sig + "\n")
            n += 1
        for fmt, (html, expected) in html_cases(lang, t).items():
            d = os.path.join(top, "gen-" + fmt)
            os.makedirs(d, exist_ok=True)
            base = os.path.join(d, lang)
            with open(base + ".html", "w") as f:
                f.write(html + "\n")
            with open(base + ".expected", "w") as f:
                f.write(expected + "\n")
            n += 1
    print("%d cases" % n)


if __name__ == "__main__":
    main()
