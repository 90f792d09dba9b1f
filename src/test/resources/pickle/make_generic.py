"""Writes generic_np<major>_p<protocol>.pkl: every value kind the pickle reader must build.

Run once with numpy 1.x and once with numpy 2.x (python make_generic.py); the Java tests only
read the .pkl files and generic_expected.json. Arrays >= 64 KiB exercise the lazy file-region path.
"""
import collections
import json
import pickle
import sys

import numpy as np

major = int(np.__version__.split(".")[0])
rng = np.random.default_rng(7)
big = rng.standard_normal((40, 30, 20)).astype(np.float32)          # 96 000 bytes: lazy
big_f = np.asfortranarray(rng.standard_normal((40, 30, 20)).astype(np.float32))
big_be = rng.standard_normal((60, 300)).astype(">f4")               # 72 000 bytes, big-endian
payload = {
    "none": None, "true": True, "false": False,
    "small_int": 7, "neg_int": -300, "int16": 60000, "int32": -2**31, "big_int": 2**70, "float": 1.25,
    "text": "héllo wörld ✓", "short": "a", "long_text": "x" * 70000,
    "bytes": b"\x00\x01\xffabc", "long_bytes": bytes(range(256)) * 300, "bytearray": bytearray(b"\x01\x02"),
    "list": [1, "two", 3.0, [4]], "tuple": (1, (2, 3)), "set": {1, 2}, "frozenset": frozenset({3}),
    "nested": {"a": {"b": [1, 2, {"c": None}]}}, "ordered": collections.OrderedDict([("z", 1), ("y", 2)]),
    "int_keys": {1: "one", 2: "two"},
    "f4": np.arange(12, dtype=np.float32).reshape(3, 4), "f8": np.linspace(-1, 1, 5),
    "f2": np.array([0.5, -2.0, 65504.0, 1e-5], dtype=np.float16),
    "i1": np.array([-128, 127], dtype=np.int8), "i2": np.array([-2, 3], dtype=np.int16),
    "i4": np.array([[1, -2], [3, 4]], dtype=np.int32), "i8": np.array([2**40, -5], dtype=np.int64),
    "u1": np.array([0, 255], dtype=np.uint8), "b1": np.array([True, False, True]),
    "f4_fortran": np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)),
    "i8_be": np.array([[1, 2, 3], [4, 5, 6]], dtype=">i8"),
    "unicode": np.array(["ab", "ünï", ""]), "byte_strings": np.array([b"v1", b"clip_22"]),
    "objects": np.array(["x", "yz", "wörd"], dtype=object), "object_bytes": np.array([b"a", b"bc"], dtype=object),
    "ids_2d": np.array([[b"vid_1", b"0.0", b"1.5"], [b"vid_2", b"2.0", b"3.0"]]),
    "scalar_f4": np.float32(1.5), "scalar_i8": np.int64(-9), "zero_d": np.array(3.5, dtype=np.float64),
    "empty": np.zeros((0, 3), dtype=np.float32),
    "big": big, "big_fortran": big_f, "big_be": big_be,
}
expected = {
    "big_sum": float(big.astype(np.float64).sum()), "big_at_3_4_5": float(big[3, 4, 5]),
    "big_fortran_sum": float(big_f.astype(np.float64).sum()), "big_fortran_at_3_4_5": float(big_f[3, 4, 5]),
    "big_be_sum": float(big_be.astype(np.float64).sum()), "big_be_at_7_9": float(big_be[7, 9]),
}
for protocol in (2, 3, 4, 5):
    with open(f"generic_np{major}_p{protocol}.pkl", "wb") as f:
        pickle.dump(payload, f, protocol=protocol)
with open("generic_expected.json", "w") as f:
    json.dump(expected, f, indent=2)
print("numpy", np.__version__, "python", sys.version.split()[0])
