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
}
