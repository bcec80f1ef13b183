package dev.mlx.text.spam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class MailTextTest {
    /** A message as its bytes read one character per byte, as the loaders read it. */
    private static String raw(String utf8) {
        return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void plainMessageKeepsSubjectAndBodyButNoOtherHeaders() {
        String m = "From: someone@example.com\r\nReceived: from relay\r\n\tby host.example.org\r\n"
                + "Subject: Meeting\r\n  on Friday\r\nTo: you@example.com\r\n\r\nSee you   there.\r\n\r\nBye\r\n";
        assertEquals("Meeting on Friday See you there. Bye", MailText.of(m));
    }

    @Test
    void alternativeGivesThePlainPartAndDecodesQuotedPrintable() {
        String m = "Subject: =?iso-8859-1?Q?Caf=E9_offer?=\n"
                + "Content-Type: multipart/alternative; boundary=\"XyZ\"\n\n"
                + "preamble\n--XyZ\nContent-Type: text/plain; charset=iso-8859-1\n"
                + "Content-Transfer-Encoding: quoted-printable\n\nCheap caf=E9 to=\nday =3D now\n"
                + "--XyZ\nContent-Type: text/html\n\n<p>HTML copy</p>\n--XyZ--\nepilogue\n";
        assertEquals("Caf\u00e9 offer Cheap caf\u00e9 today = now", MailText.of(m));
    }

    @Test
    void htmlOnlyLosesScriptsStylesTagsAndDecodesEntities() {
        String m = "Subject: Win\nContent-Type: text/html\n\n<html><head><style>p {color:red}</style>"
                + "<script>var x = 1;</script></head><body><!-- hidden --><p>Click&nbsp;<b>here</b> &amp; win"
                + " &#36;1,000 &#x263A;</p></body></html>";
        assertEquals("Win Click here & win $1,000 \u263a", MailText.of(m));
    }

    @Test
    void mixedGivesEveryTextPartInOrderAndSkipsAttachments() {
        String body = Base64.getMimeEncoder().encodeToString("Grüße aus Köln".getBytes(StandardCharsets.UTF_8));
        String m = "Subject: =?UTF-8?B?" + Base64.getEncoder().encodeToString("Über".getBytes(StandardCharsets.UTF_8))
                + "?= =?UTF-8?Q?_uns?=\nContent-Type: multipart/mixed; boundary=outer\n\n"
                + "--outer\nContent-Type: multipart/alternative; boundary=\"inner\"\n\n"
                + "--inner\nContent-Type: text/html; charset=utf-8\n\n<i>ignored html</i>\n"
                + "--inner\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + body + "\n"
                + "--inner--\n"
                + "--outer\nContent-Type: application/octet-stream; name=\"a.exe\"\nContent-Transfer-Encoding: base64\n\n"
                + "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\n"
                + "--outer\nContent-Type: text/plain\n\nsecond part\n--outer--\n";
        String text = MailText.of(m);
        assertEquals("Über uns Grüße aus Köln second part", text);
        assertFalse(text.contains("TVqQ"));
    }

    @Test
    void eightBitBodiesAreReadInTheirCharset() {
        String m = "Subject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nnaïve résumé";
        assertEquals("x naïve résumé", MailText.of(raw(m)));
        String latin = "Subject: x\nContent-Type: text/plain; charset=bogus-charset\n\n\u00e9t\u00e9";
        assertEquals("x \u00e9t\u00e9", MailText.of(latin), "an unknown charset reads as ISO-8859-1");
    }

    @Test
    void malformedInputStillGivesText() {
        assertEquals("", MailText.of(""));
        assertEquals("only a body", MailText.of("\nonly a body"));
        assertEquals("no boundary here", MailText.of("Content-Type: multipart/mixed\n\nno boundary here"));
        assertArrayEquals(new byte[0], MailText.base64("!!!!"));
        assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), MailText.base64("aGk"));
        assertEquals("=ZZ", new String(MailText.quotedPrintable("=ZZ"), StandardCharsets.ISO_8859_1));
        String huge = "Subject: s\n\n" + "word ".repeat(10_000);
        assertTrue(MailText.of(huge).length() <= MailText.MAX_CHARS);
    }
}
