"""Writes small dataset pickles in the MMSA and MulT layouts for the reader tests.

Run with numpy 1.x and with numpy 2.x (`python make_fixtures.py`); each run writes its own
files (mmsa_*_np<major>_p<protocol>.pkl, mult_*_np<major>_p<protocol>.pkl) and the shared label
CSVs, vocab.txt and expected.json. The Java tests never run Python.

Variations covered: audio front-padded and vision right-padded (MMSA unaligned, with lengths);
Fortran-order and big-endian arrays; float64 and float32; text_bert as [N,3,L] (int64) and as
[N,L,3] (float64); strings as <U arrays, object arrays, lists and S arrays; -inf in audio;
MulT labels [N,1,1] and MOSEI-style [N,1,7]; ids video_clip (matched by id) and bare video ids
(matched by position); both known label-CSV column orders; lengths as Python lists
(mmsa_unaligned_list_lengths_np2_p4.pkl, written by numpy 2.x only).
"""
import json
import pickle

import numpy as np

major = int(np.__version__.split(".")[0])
SIZES = {"train": 6, "valid": 3, "test": 4}
WORDS = ["i", "really", "liked", "this", "movie", "not", "good", "bad", "at", "all", "the", "acting", "was", "fine"]


def rng_for(name):
    return np.random.default_rng(sum(map(ord, name)))


def sentence(r):
    return " ".join(r.choice(WORDS, size=int(r.integers(2, 7))))


def mmsa_split(split, n, variant):
    r = rng_for("mmsa" + split)
    lt, la, lv, dt, da, dv = 10, 12, 14, 8, 5, 4
    text_len = r.integers(3, lt + 1, size=n)
    a_len = r.integers(1, la + 1, size=n)
    v_len = r.integers(1, lv + 1, size=n)
    ids = np.zeros((n, lt), dtype=np.int64)
    mask = np.zeros((n, lt), dtype=np.int64)
    text = np.zeros((n, lt, dt), dtype=np.float32)
    audio = np.zeros((n, la, da), dtype=np.float32)
    vision = np.zeros((n, lv, dv), dtype=np.float32)
    for i in range(n):
        ids[i, :text_len[i]] = r.integers(1000, 2000, size=text_len[i])
        ids[i, 0], ids[i, text_len[i] - 1] = 101, 102
        mask[i, :text_len[i]] = 1
        text[i, :text_len[i]] = r.standard_normal((text_len[i], dt)) + 0.5
        audio[i, la - a_len[i]:] = r.standard_normal((a_len[i], da)) + 1.0      # front-padded
        vision[i, :v_len[i]] = r.standard_normal((v_len[i], dv)) + 1.0           # right-padded
    audio[0, la - 1, 2] = -np.inf
    labels = np.round(r.uniform(-3, 3, size=n) * 5) / 5
    raw = [sentence(r) for _ in range(n)]
    idstr = [f"vid{i % 3}$_${i}" for i in range(n)]
    d = {"audio": audio, "vision": vision, "regression_labels": labels,
         "audio_lengths": a_len.astype(np.int64), "vision_lengths": v_len.astype(np.int32),
         "annotations": np.array(["Positive" if y > 0 else "Negative" for y in labels])}
    if variant == "unaligned":
        d["text"] = text
        d["text_bert"] = np.stack([ids, mask, np.zeros_like(ids)], axis=1)           # [N, 3, L] int64
        d["raw_text"] = np.array(raw) if major == 1 else np.array(raw, dtype=object)
        d["id"] = np.array(idstr) if major == 1 else np.array(idstr, dtype=object)
        if major == 1:
            d["audio"] = np.asfortranarray(audio)
            d["vision"] = vision.astype(">f4")
        else:
            d["text"] = text.astype(np.float64)
            d["regression_labels"] = labels.astype(np.float32).reshape(n, 1)
    else:  # aligned: no lengths, text_bert [N, L, 3] float64, lists of strings
        del d["audio_lengths"], d["vision_lengths"]
        aligned_audio = np.zeros((n, lt, da), dtype=np.float32)
        aligned_vision = np.zeros((n, lt, dv), dtype=np.float32)
        for i in range(n):
            aligned_audio[i, 1:text_len[i] - 1] = r.standard_normal((text_len[i] - 2, da)) + 1
            aligned_vision[i, 1:text_len[i] - 1] = r.standard_normal((text_len[i] - 2, dv)) + 1
        d.update(audio=aligned_audio, vision=aligned_vision, text=text,
                 text_bert=np.stack([ids, mask, np.zeros_like(ids)], axis=2).astype(np.float64),
                 raw_text=raw, id=idstr)
    expected = {"n": n, "labels": [float(x) for x in np.asarray(labels, dtype=np.float32).ravel()],
                "text_lengths": [int(x) for x in text_len], "text_ids_0": [int(x) for x in ids[0]],
                "text_0_1": [float(x) for x in text[0, 1]], "id_1": idstr[1], "raw_1": raw[1]}
    if variant == "unaligned":
        expected.update(audio_lengths=[int(x) for x in a_len], vision_lengths=[int(x) for x in v_len],
                        audio_first_valid_0=[float(x) for x in audio[0, la - a_len[0]]],
                        vision_first_0=[float(x) for x in vision[0, 0]])
    else:
        expected.update(audio_lengths=[int(x) for x in text_len], vision_lengths=[int(x) for x in text_len])
    return d, expected


def mult_split(split, n, start, mosei):
    r = rng_for("mult" + split)
    lt, la, lv, dt, da, dv = 10, 12, 14, 6, 5, 4
    t_len = r.integers(1, lt + 1, size=n)
    a_len = r.integers(1, la + 1, size=n)
    v_len = r.integers(1, lv + 1, size=n)
    text = np.zeros((n, lt, dt), dtype=np.float32)
    audio = np.zeros((n, la, da), dtype=np.float32)
    vision = np.zeros((n, lv, dv), dtype=np.float32)
    for i in range(n):
        text[i, lt - t_len[i]:] = r.standard_normal((t_len[i], dt)) + 1
        audio[i, la - a_len[i]:] = r.standard_normal((a_len[i], da)) + 1
        vision[i, lv - v_len[i]:] = r.standard_normal((v_len[i], dv)) + 1
    audio[1, la - 1, 0] = -np.inf
    audio[2, la - 1, 1] = -np.inf
    labels = np.round(r.uniform(-3, 3, size=n) * 5) / 5
    if mosei:
        lab = np.zeros((n, 1, 7), dtype=np.float32)
        lab[:, 0, 0] = labels
        lab[:, 0, 1:] = r.uniform(0, 3, size=(n, 6))
        vids = [f"mvid{(start + i) // 2}" for i in range(n)]
        ids = np.array([[v.encode(), b"1.25", b"4.5"] for v in vids])
    else:
        lab = labels.astype(np.float32).reshape(n, 1, 1)
        vids = [f"vid_{(start + i) // 2}" for i in range(n)]
        ids = np.array([[f"{v}_{(start + i) % 2 + 1}".encode(), b"0", b"0"] for i, v in enumerate(vids)])
        if major == 2:
            ids = ids.astype(object)
    d = {"text": text, "audio": audio, "vision": vision, "labels": lab, "id": ids}
    expected = {"n": n, "labels": [float(x) for x in labels.astype(np.float32)],
                "text_lengths": [int(x) for x in t_len], "audio_lengths": [int(x) for x in a_len],
                "vision_lengths": [int(x) for x in v_len],
                "audio_first_valid_0": [float(x) for x in audio[0, la - a_len[0]]],
                "text_first_valid_0": [float(x) for x in text[0, lt - t_len[0]]],
                "nonfinite_audio": 2}
    rows = []
    for i in range(n):
        vid = vids[i]
        clip = 1 if mosei else (start + i) % 2 + 1
        rows.append((vid, clip, sentence(r), float(labels[i])))
    return d, expected, rows


def write(name, payload, protocol):
    with open(name, "wb") as f:
        pickle.dump(payload, f, protocol=protocol)


expected = {}
for variant in ("unaligned", "aligned"):
    payload, exp = {}, {}
    for split, n in SIZES.items():
        payload[split], exp[split] = mmsa_split(split, n, variant)
    for protocol in ((2, 4, 5) if variant == "unaligned" else (4,)):
        write(f"mmsa_{variant}_np{major}_p{protocol}.pkl", payload, protocol)
    expected[f"mmsa_{variant}"] = exp
    if variant == "unaligned" and major >= 2:
        # lengths as Python lists of ints, as MMSA's data/getLengths.py writes them
        listed = {k: dict(v, audio_lengths=[int(x) for x in v["audio_lengths"]],
                          vision_lengths=[int(x) for x in v["vision_lengths"]]) for k, v in payload.items()}
        write(f"mmsa_unaligned_list_lengths_np{major}_p4.pkl", listed, 4)

for kind in ("mosi", "mosei"):
    payload, exp, rows, start = {}, {}, [], 0
    for split, n in SIZES.items():
        payload[split], exp[split], r = mult_split(split, n, start, kind == "mosei")
        rows += r
        start += n
    for protocol in ((2, 4, 5) if kind == "mosi" else (4,)):
        write(f"mult_{kind}_np{major}_p{protocol}.pkl", payload, protocol)
    expected[f"mult_{kind}"] = exp
    with open(f"mult_{kind}_labels.csv", "w") as f:
        if kind == "mosi":   # the MMSA wiki order, with a quoted comma in one transcript
            f.write("video_id,clip_id,text,label,label_T,label_A,label_V,annotation,mode\n")
            for k, (v, c, t, y) in enumerate(reversed(rows)):
                t = t if k else '"' + t + ', really"'
                f.write(f"{v},{c},{t},{y},,,,x,train\n")
        else:                # the other known order, rows in pickle order
            f.write("video_id,clip_id,text,label,annotation,mode,label_T,label_A,label_V\n")
            for v, c, t, y in rows:
                f.write(f"{v},{c},{t},{y},x,train,,,\n")

with open("vocab.txt", "w") as f:
    f.write("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS[:-2] + ["act", "##ing", "fin", "##e"]) + "\n")
with open("expected.json", "w") as f:  # the same values from numpy 1.x and 2.x
    json.dump(expected, f, indent=1)
print("numpy", np.__version__)
