package dev.mlx.app.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The HTML page builder: escaping, tables, embedded PNGs that decode to the image given. */
class HtmlReportTest {
    private static final Pattern IMG_SRC = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

    @Test
    void escapesEveryMarkupCharacter() {
        assertEquals("a &amp; b &lt;script&gt;x&lt;/script&gt; &quot;q&quot; &#39;s&#39;",
                Html.escape("a & b <script>x</script> \"q\" 's'"));
        assertEquals("", Html.escape(null));
    }

    @Test
    void textFromTheUserNeverBecomesMarkup() {
        String html = HtmlReport.titled("run <b>x</b>")
                .addSection("s & t")
                .addTable("results", List.of("method", "acc"), List.of(List.of("<img src=x onerror=alert(1)>", "1")))
                .addDefinitions(List.of("k\"", "v'<"))
                .addLinks(List.of("a\"b.html", "<x>"))
                .render();
        assertFalse(html.contains("<b>x</b>"), html);
        assertFalse(html.contains("<img src=x"), html);
        assertFalse(html.contains("<script"), "no script at all: " + html);
        assertTrue(html.contains("<title>run &lt;b&gt;x&lt;/b&gt;</title>"), html);
        assertTrue(html.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"), html);
        assertTrue(html.contains("href=\"a&quot;b.html\""), html);
    }

    @Test
    void imagesAreEmbeddedAsPngDataUrisThatDecodeToTheImage() throws Exception {
        BufferedImage image = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 2, Color.RED.getRGB());
        HtmlReport page = HtmlReport.titled("t").addImage("curve", image, "a caption");
        String html = page.render();
        assertEquals(1, page.imageCount());
        Matcher m = IMG_SRC.matcher(html);
        assertTrue(m.find(), html);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
        assertEquals(7, decoded.getWidth());
        assertEquals(5, decoded.getHeight());
        assertEquals(Color.RED.getRGB(), decoded.getRGB(3, 2));
        assertEquals(0xff000000, decoded.getRGB(0, 0));
        assertTrue(html.contains("class=\"curve\" width=\"7\" height=\"5\" alt=\"a caption\""), html);
        assertFalse(m.find(), "exactly one image");
        assertFalse(html.contains("http://") || html.contains("https://"), "nothing is loaded from the network");
    }

    @Test
    void aTableRowMustMatchTheHeader() {
        HtmlReport page = HtmlReport.titled("t");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> page.addTable("x", List.of("a", "b"), List.of(List.of("1"))));
        assertTrue(e.getMessage().contains("1 cells for 2 columns"), e.getMessage());
    }
}
