#!/usr/bin/env python3
"""Reads a run's TensorBoard log with TensorBoard's own EventAccumulator and prints, as JSON,
every scalar tag's (step, value) pairs and the hyperparameters of the hparams plugin, so that the
tests can compare them with the run's epochs.csv and config.json.

usage: scripts/tensorboard-read.py RUN_DIR/tensorboard
"""
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2


def main(logdir):
    acc = EventAccumulator(logdir, size_guidance={"scalars": 0})
    acc.Reload()
    scalars = {tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}
    hparams = {}
    for tag, content in acc.PluginTagToContent("hparams").items():
        data = plugin_data_pb2.HParamsPluginData.FromString(content)
        for key, value in data.session_start_info.hparams.items():
            kind = value.WhichOneof("kind")
            hparams[key] = getattr(value, kind)
    print(json.dumps({"scalars": scalars, "hparams": hparams}))


if __name__ == "__main__":
    main(sys.argv[1])
