#!/usr/bin/env python3
"""Regenerates src/pricing/prices.json from the LiteLLM snapshot embedded in a ccusage binary.

ccusage 20.x ships a native binary with a deflate-compressed, compact copy of LiteLLM's
model_prices_and_context_window.json ("i"/"o"/"cc"/"cr" per token, "ia"/"oa"/"cca"/"cra" for the
>200k tier, "ctx", "fast"). Pricing ccu with exactly those numbers is what makes `ccu report`
agree with `ccusage --offline`. Only Claude models are kept (ccu reads Claude Code logs only).

usage: extract_ccusage_prices.py <ccusage native binary> <ccusage version> <out prices.json> [date]
"""
import datetime
import json
import sys
import zlib

FIELDS = [  # (compact key, ccu key)
    ("i", "input"), ("o", "output"), ("cc", "cache_write_5m"), ("cr", "cache_read"),
    ("ia", "input_above_200k"), ("oa", "output_above_200k"),
    ("cca", "cache_write_5m_above_200k"), ("cra", "cache_read_above_200k"),
]


# ccusage's fast-multiplier-overrides.json ("normalized_prefix" section) for Claude models;
# LiteLLM's own provider_specific_entry.fast ("fast" in the snapshot) applies otherwise.
FAST_PREFIX_OVERRIDES = {"claude-opus-4-6": 6.0, "claude-opus-4-7": 6.0, "claude-opus-4-8": 2.0}


def find_litellm_snapshot(blob: bytes) -> dict:
    for offset in range(len(blob)):
        try:
            head = zlib.decompressobj(-15).decompress(blob[offset:offset + 256], 64)
        except zlib.error:
            continue
        if not head.startswith(b'{"') or b'"cc":' not in zlib.decompressobj(-15).decompress(
                blob[offset:offset + 4096], 2048):
            continue
        text = zlib.decompressobj(-15).decompress(blob[offset:offset + 4_000_000])
        data = json.loads(text)
        if any("claude" in key for key in data):
            return data
    raise SystemExit("no LiteLLM snapshot found in the binary")


def per_million(value: float) -> float:
    return round(value * 1_000_000, 9)


def main() -> None:
    binary, version, out = sys.argv[1], sys.argv[2], sys.argv[3]
    day = sys.argv[4] if len(sys.argv) > 4 else datetime.date.today().isoformat()
    snapshot = find_litellm_snapshot(open(binary, "rb").read())
    models = {}
    for key in sorted(k for k in snapshot if "claude" in k):
        entry = snapshot[key]
        model = {name: per_million(entry[short]) for short, name in FIELDS if short in entry}
        if "cache_write_5m" not in model:  # ccusage: no published rate -> input * 1.25
            model["cache_write_5m"] = per_million(entry["i"] * 1.25)
        # ccusage bills 1h cache writes at 2x the input rate (both tiers).
        model["cache_write_1h"] = per_million(entry["i"] * 2.0)
        if "ia" in entry:
            model["cache_write_1h_above_200k"] = per_million(entry["ia"] * 2.0)
        if "ctx" in entry:
            model["max_input_tokens"] = entry["ctx"]
        if "fast" in entry:
            model["fast_multiplier"] = entry["fast"]
        for prefix, factor in FAST_PREFIX_OVERRIDES.items():
            if key.startswith(prefix):
                model["fast_multiplier"] = factor
        models[key] = model
    document = {
        "updated": day,
        "source": f"LiteLLM model_prices_and_context_window.json as embedded in ccusage {version} "
                  "(the snapshot `ccusage --offline` prices with); Claude models only. "
                  "Regenerate with tests/ccusage/extract_ccusage_prices.py.",
        "unit": "USD per 1,000,000 tokens",
        "long_context_threshold_tokens": 200000,
        "models": models,
    }
    with open(out, "w") as f:
        json.dump(document, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"{len(models)} models written to {out}")


if __name__ == "__main__":
    main()
