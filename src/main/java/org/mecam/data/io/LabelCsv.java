package org.mecam.data.io;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The label CSV of CMU-MOSI / MOSEI ({@code video_id, clip_id, text, label, ...} in either known
 * column order; columns are found by name): the transcript of each clip, looked up by video and
 * clip id.
 */
public final class LabelCsv {

    private final Csv csv;
    private final int video;
    private final int clip;
    private final int text;
    private final Map<String, Integer> byKey = new HashMap<>();

    private LabelCsv(Csv csv) {
        this.csv = csv;
        this.video = csv.column("video_id");
        this.clip = csv.column("clip_id");
        this.text = csv.column("text");
        for (int r = 0; r < csv.size(); r++) {
            byKey.put(key(csv.get(r, video).trim(), csv.get(r, clip).trim()), r);
        }
    }

    /** @throws DataFormatException naming the file and column when it cannot be used */
    public static LabelCsv read(Path file) {
        return new LabelCsv(Csv.read(file));
    }

    static String key(String videoId, String clipId) {
        String c = clipId.replaceFirst("^0+(?=\\d)", "");
        return videoId + "\u0000" + c;
    }

    /** @return the row of a clip, or -1 */
    public int row(String videoId, String clipId) {
        return byKey.getOrDefault(key(videoId, clipId), -1);
    }

    /** @return the row matching a MulT id ({@code video_clip}: split at the last underscore), or -1 */
    public int rowOfMultId(String id) {
        int cut = id.lastIndexOf('_');
        return cut <= 0 ? -1 : row(id.substring(0, cut), id.substring(cut + 1));
    }

    public String text(int row) {
        return csv.get(row, text);
    }

    public String videoId(int row) {
        return csv.get(row, video).trim();
    }

    public int size() {
        return csv.size();
    }

    public Path file() {
        return csv.file();
    }
}
