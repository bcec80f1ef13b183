package dev.mlx.text.spam;

import dev.mlx.api.error.MlxException;
import dev.mlx.text.corpus.LabelledText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The SpamAssassin public corpus as its tarballs extract
 * ({@code https://spamassassin.apache.org/old/publiccorpus/}): one folder per group under a root,
 * {@code easy_ham/}, {@code easy_ham_2/}, {@code hard_ham/} (label 0) and {@code spam/},
 * {@code spam_2/} (label 1), one raw message per file ({@code 00001.<md5>}). A folder whose name
 * starts with {@code spam} is spam, one whose name holds {@code ham} is ham, others are ignored;
 * the {@code cmds} files, hidden files and {@code .json} files (the npm package's copies) are
 * skipped. Groups and files are read in name order.
 */
public final class SpamAssassinFolder {
    private SpamAssassinFolder() {}

    /**
     * @param group a group folder's name
     * @return 1 for spam, 0 for ham, -1 for neither
     */
    static int labelOf(String group) {
        String g = group.toLowerCase(Locale.ROOT);
        return g.startsWith("spam") ? 1 : g.contains("ham") ? 0 : -1;
    }

    /**
     * @param root the folder holding the group folders
     * @return the messages as text
     * @throws MlxException (user error) if the root has no group folder or a group no message
     */
    public static List<LabelledText> read(Path root) {
        if (!Files.isDirectory(root)) {
            throw MlxException.userError("the SpamAssassin folder " + root.toAbsolutePath() + " does not exist; set"
                    + " dir= to the folder holding easy_ham/, hard_ham/, spam/, ...");
        }
        List<LabelledText> messages = new ArrayList<>();
        try (Stream<Path> groups = Files.list(root)) {
            List<Path> sorted = groups.filter(Files::isDirectory).filter(g -> labelOf(g.getFileName().toString()) >= 0)
                    .sorted().toList();
            if (sorted.isEmpty()) {
                throw MlxException.userError("the SpamAssassin folder " + root.toAbsolutePath() + " has no ham or spam"
                        + " folders; extract the public corpus tarballs (easy_ham, hard_ham, spam, ...) into it");
            }
            for (Path group : sorted) {
                int label = labelOf(group.getFileName().toString());
                int before = messages.size();
                try (Stream<Path> files = Files.list(group)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(SpamAssassinFolder::isMessage).sorted()
                            .toList()) {
                        String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                        messages.add(new LabelledText(MailText.of(raw), label));
                    }
                }
                if (messages.size() == before) {
                    throw MlxException.userError(group + " holds no messages");
                }
            }
        } catch (IOException e) {
            throw MlxException.userError("cannot read the SpamAssassin folder " + root + ": " + e.getMessage(), e);
        }
        return messages;
    }

    private static boolean isMessage(Path f) {
        String name = f.getFileName().toString();
        return !name.startsWith(".") && !name.equals("cmds") && !name.endsWith(".json");
    }
}
