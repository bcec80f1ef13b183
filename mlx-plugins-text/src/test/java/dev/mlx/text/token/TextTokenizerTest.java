package dev.mlx.text.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.MlxException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextTokenizerTest {
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        System.setProperty("ai.djl.offline", "true");
        tokenizer = TextTokenizer.miniLm();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void bertBaseUncasedIdsOfKnownSentences() {
        // ids of bert-base-uncased's vocab.txt: the = 1996, quick = 4248, ..., "." = 1012
        TokenizedText t = tokenizer.encode("The quick brown fox jumps over the lazy dog.", 14);
        assertArrayEquals(new long[] {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102, 0, 0},
                t.ids());
        assertEquals("quick", t.words()[2]);
        assertNull(t.words()[0]);
        assertNull(t.words()[12]);
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, tokenizer.encode("Hello WORLD", 4).ids());
    }

    @Test
    void wordPiecesShareTheirWordAndTruncationKeepsTheSeparator() {
        TokenizedText t = tokenizer.encode("alas seagal again", 16);
        assertTrue(tokenizer.wordPieces("seagal").length > 1, "seagal is not in the vocabulary as one piece");
        int pieces = 0;
        for (String w : t.words()) {
            pieces += "seagal".equals(w) ? 1 : 0;
        }
        assertEquals(tokenizer.wordPieces("seagal").length, pieces);
        TokenizedText cut = tokenizer.encode("one two three four five six seven", 5);
        assertEquals(5, cut.ids().length);
        assertEquals(102, cut.ids()[4]);
        assertEquals(101, cut.ids()[0]);
    }

    @Test
    void aMalformedTokenizerFileIsAUserError() {
        MlxException e = assertThrows(MlxException.class, () -> TextTokenizer.fromStream(
                new ByteArrayInputStream("{not json".getBytes(StandardCharsets.UTF_8)), "broken.json"));
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
        assertThrows(MlxException.class, () -> tokenizer.encode("x", 1));
    }

    /** Whether {@code ids} hold {@code pieces} as a contiguous run. */
    private static boolean holds(long[] ids, long[] pieces) {
        for (int t = 0; t + pieces.length <= ids.length; t++) {
            if (java.util.Arrays.equals(ids, t, t + pieces.length, pieces, 0, pieces.length)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aWordInsertedAmongTheVisibleWordsSurvivesTruncationAndOneFurtherDoesNot() {
        String[] vocab = {"the", "mail", "unbelievably", "cheap", "re:", "[ilug]", "http://x.ie/a?b=c", "don't",
                "wörter", "!!!", "xylophones", "42,000"};
        java.util.Random random = new java.util.Random(11);
        int checked = 0;
        for (String decoy : new String[] {"zebra", "xylophonist"}) {
            long[] pieces = tokenizer.wordPieces(decoy);
            for (int trial = 0; trial < 60; trial++) {
                int n = 1 + random.nextInt(40);
                String[] words = new String[n];
                for (int w = 0; w < n; w++) {
                    words[w] = vocab[random.nextInt(vocab.length)];
                }
                String text = String.join(" ", words);
                int length = 8 + random.nextInt(40);
                int visible = tokenizer.visibleWords(text, length, pieces.length);
                int slots = Math.min(n, visible);
                for (int at = 0; at <= slots; at++) {
                    String inserted = insert(words, at, decoy);
                    assertTrue(holds(tokenizer.encode(inserted, length).ids(), pieces),
                            decoy + " at word " + at + " of " + visible + " visible must survive: " + inserted);
                    checked++;
                }
                if (visible < n) {
                    String inserted = insert(words, visible + 1, decoy);
                    assertTrue(!holds(tokenizer.encode(inserted, length).ids(), pieces),
                            decoy + " after word " + (visible + 1) + " must be cut: " + inserted);
                }
            }
        }
        assertTrue(checked > 300, "checked " + checked);
    }

    private static String insert(String[] words, int at, String word) {
        java.util.List<String> list = new java.util.ArrayList<>(java.util.Arrays.asList(words));
        list.add(at, word);
        return String.join(" ", list);
    }
}
