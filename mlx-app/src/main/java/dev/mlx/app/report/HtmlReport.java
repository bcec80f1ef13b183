package dev.mlx.app.report;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A self-contained HTML page built piece by piece: headings, paragraphs, tables, key-value lists,
 * links and images. Every text goes through {@link Html#escape}; every image is embedded as a
 * {@code data:image/png;base64,} URI, so the page needs no other file, loads nothing from the network
 * and contains no script. The style sheet is inline.
 *
 * <p>Order of use: {@link #titled}, then {@code add...} calls in page order, then {@link #render()}.
 */
public final class HtmlReport {
    private static final String STYLE = """
            body { font-family: sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
            table { border-collapse: collapse; margin: 8px 0; }
            th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
            th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
            figure { display: inline-block; margin: 8px 16px 8px 0; vertical-align: top; }
            figcaption { font-size: 0.9em; color: #555; }
            code { background: #f6f6f6; padding: 0 3px; }
            dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
            dt { font-weight: bold; } dd { margin: 0; font-family: monospace; }
            """;

    private final StringBuilder body = new StringBuilder();
    private final String title;
    private int images;

    private HtmlReport(String title) {
        this.title = title;
    }

    /**
     * @param title the page title, also its first heading
     * @return an empty page
     */
    public static HtmlReport titled(String title) {
        HtmlReport page = new HtmlReport(title);
        page.body.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        return page;
    }

    /**
     * @param text a section heading
     * @return this page
     */
    public HtmlReport addSection(String text) {
        body.append("<h2>").append(Html.escape(text)).append("</h2>\n");
        return this;
    }

    /**
     * @param text a paragraph of plain text
     * @return this page
     */
    public HtmlReport addParagraph(String text) {
        body.append("<p>").append(Html.escape(text)).append("</p>\n");
        return this;
    }

    /**
     * @param cssClass the table's class attribute (tests and style sheets find tables by it)
     * @param header the column headings
     * @param rows the cells, each row as long as {@code header}
     * @return this page
     */
    public HtmlReport addTable(String cssClass, List<String> header, List<List<String>> rows) {
        body.append("<table class=\"").append(Html.escape(cssClass)).append("\">\n<thead><tr>");
        header.forEach(h -> body.append("<th>").append(Html.escape(h)).append("</th>"));
        body.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("a row has " + row.size() + " cells for " + header.size()
                        + " columns: " + row);
            }
            body.append("<tr>");
            row.forEach(c -> body.append("<td>").append(Html.escape(c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</tbody></table>\n");
        return this;
    }

    /**
     * @param entries key, value, key, value, ... (an even number of strings)
     * @return this page
     */
    public HtmlReport addDefinitions(List<String> entries) {
        if (entries.size() % 2 != 0) {
            throw new IllegalArgumentException("definitions come in key-value pairs; got " + entries.size());
        }
        body.append("<dl>\n");
        for (int i = 0; i < entries.size(); i += 2) {
            body.append("<dt>").append(Html.escape(entries.get(i))).append("</dt><dd>")
                    .append(Html.escape(entries.get(i + 1))).append("</dd>\n");
        }
        body.append("</dl>\n");
        return this;
    }

    /**
     * @param links relative targets and their texts: href, text, href, text, ...
     * @return this page
     */
    public HtmlReport addLinks(List<String> links) {
        if (links.size() % 2 != 0) {
            throw new IllegalArgumentException("links come in href-text pairs; got " + links.size());
        }
        body.append("<ul>\n");
        for (int i = 0; i < links.size(); i += 2) {
            body.append("<li><a href=\"").append(Html.escape(links.get(i))).append("\">")
                    .append(Html.escape(links.get(i + 1))).append("</a></li>\n");
        }
        body.append("</ul>\n");
        return this;
    }

    /**
     * Embeds an image as a PNG data URI inside a {@code <figure>} with a caption.
     *
     * @param cssClass the image's class attribute (e.g. {@code "curve"} or {@code "saliency"})
     * @param image the image
     * @param caption the caption, also the image's alternative text
     * @return this page
     */
    public HtmlReport addImage(String cssClass, BufferedImage image, String caption) {
        body.append("<figure><img class=\"").append(Html.escape(cssClass)).append("\" width=\"")
                .append(image.getWidth()).append("\" height=\"").append(image.getHeight()).append("\" alt=\"")
                .append(Html.escape(caption)).append("\" src=\"").append(Png.dataUri(image))
                .append("\"><figcaption>").append(Html.escape(caption)).append("</figcaption></figure>\n");
        images++;
        return this;
    }

    /** @return how many images the page embeds */
    public int imageCount() {
        return images;
    }

    /** @return the complete HTML document */
    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<title>" + Html.escape(title) + "</title>\n<style>\n" + STYLE
                + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
    }
}
