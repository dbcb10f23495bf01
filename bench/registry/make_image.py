#!/usr/bin/env python3
"""Writes an OCI image layout whose layers are random bytes, for bench/registry/run.

    make_image.py DIR TAG TOTAL_MIB LAYERS

Each layer is a tar holding one file of random bytes, gzip'ed at level 1: random data stays
incompressible, and a gzip layer is what skopeo pushes as it is (an uncompressed one it would
compress on the way to a registry, and the benchmark would measure skopeo's gzip). Prints the
total size of the blobs (layers and config) a push transfers, in bytes.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def write_blob(blobs, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def main():
    out, tag, total_mib, layers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    layer_bytes = total_mib * 1024 * 1024 // layers
    descriptors, diff_ids = [], []
    for i in range(layers):
        content = os.urandom(layer_bytes)
        tar_buffer = io.BytesIO()
        with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(f"data/layer-{i}.bin")
            info.size = len(content)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(content))
        tar_bytes = tar_buffer.getvalue()
        diff_ids.append("sha256:" + hashlib.sha256(tar_bytes).hexdigest())
        # mtime=0: the same random content always makes the same blob
        layer = write_blob(blobs, gzip.compress(tar_bytes, compresslevel=1, mtime=0))
        layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        descriptors.append(layer)

    config = write_blob(blobs, json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }).encode())
    config["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = write_blob(blobs, json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": descriptors,
    }).encode())
    manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    manifest["annotations"] = {"org.opencontainers.image.ref.name": tag}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [manifest]}, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(sum(d["size"] for d in descriptors) + config["size"])


if __name__ == "__main__":
    main()
