#!/usr/bin/env python3
"""Deterministic Claude Code tree for the ccu-vs-ccusage differential test.

Covers what both tools must price identically: several models (tiered and flat), requests
above the 200k long-context threshold, responses streamed as several lines sharing
message.id/requestId (the largest total wins), `costUSD` lines (auto cost mode), `<synthetic>`
lines, fast mode (`usage.speed`), user lines, a malformed line, cache writes given flat or as a 5m-only breakdown,
timestamps near UTC midnight (zone tests) and across month ends, and subagent (sidechain)
files that replay main-session responses.

Not covered on purpose (known, documented differences): 1h cache writes (UsageRecord carries
no 5m/1h split) and responses without requestId.

usage: gen_tree.py OUT_DIR [SEED]   -> OUT_DIR/projects/..., OUT_DIR/replayed_sessions.json
"""
import json
import os
import random
import sys
import uuid

MODELS = ["claude-opus-4-8", "claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805",
          "claude-opus-4-6", "claude-haiku-4-5-20251001", "claude-3-5-haiku-20241022",
          "claude-opus-4-5-20251101", "claude-sonnet-4-6"]
START = 1_735_689_600  # 2025-01-01T00:00:00Z


def ts(epoch_s: float) -> str:
    import datetime
    t = datetime.datetime.fromtimestamp(epoch_s, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def dump(obj) -> str:
    return json.dumps(obj, separators=(",", ":")) + "\n"  # Claude Code writes compact JSON


def usage(rng: random.Random, big: bool) -> dict:
    u = {"input_tokens": rng.randint(1, 4000), "output_tokens": rng.randint(1, 3000),
         "cache_read_input_tokens": rng.randint(0, 120_000)}
    cw = rng.randint(0, 30_000)
    if big:  # long context: one bucket beyond 200k
        key = rng.choice(["input_tokens", "cache_read_input_tokens"])
        u[key] = rng.randint(200_001, 600_000)
        cw = rng.choice([cw, rng.randint(200_001, 300_000)])
    if rng.random() < 0.06:
        u["speed"] = "fast"  # fast mode: "<model>-fast" at the model's fast multiplier
    if rng.random() < 0.5:
        u["cache_creation_input_tokens"] = cw
    else:
        u["cache_creation_input_tokens"] = cw
        u["cache_creation"] = {"ephemeral_5m_input_tokens": cw, "ephemeral_1h_input_tokens": 0}
    return u


def assistant(session, cwd, when, model, msg_id, req_id, u, sidechain=False, cost=None):
    line = {"parentUuid": None, "isSidechain": sidechain, "userType": "external", "cwd": cwd,
            "sessionId": session, "version": "2.0.30", "gitBranch": "main", "type": "assistant",
            "uuid": str(uuid.UUID(int=random.getrandbits(128))), "timestamp": ts(when), "requestId": req_id,
            "message": {"id": msg_id, "type": "message", "role": "assistant", "model": model,
                        "content": [{"type": "text", "text": "ok"}], "usage": u}}
    if cost is not None:
        line["costUSD"] = cost
    return line


def write_session(rng, root, project, session, replayed) -> None:
    cwd = "/home/dev/" + project
    pdir = os.path.join(root, "projects", "-home-dev-" + project)
    os.makedirs(pdir, exist_ok=True)
    when = START + rng.randint(0, 100) * 86400 + rng.choice([rng.randint(0, 86399), 86400 - rng.randint(1, 3600)])
    kept = []
    with open(os.path.join(pdir, session + ".jsonl"), "w") as f:
        f.write(dump({"type": "user", "sessionId": session, "cwd": cwd, "timestamp": ts(when),
                      "uuid": str(uuid.uuid4()), "message": {"role": "user", "content": "hi"}}))
        for n in range(rng.randint(5, 25)):
            when += rng.randint(5, 5000)
            model = rng.choice(MODELS)
            msg_id = f"msg_{session[:8]}_{n}"
            req_id = f"req_{session[:8]}_{n}"
            u = usage(rng, rng.random() < 0.08)
            cost = round(rng.uniform(0.001, 0.5), 6) if rng.random() < 0.07 else None
            for part in range(rng.randint(1, 3)):  # streamed: output grows, the last line is largest
                streamed = dict(u, output_tokens=max(1, u["output_tokens"] * (part + 1) // 3))
                f.write(dump(assistant(session, cwd, when + part * 0.2, model, msg_id, req_id, streamed, cost=cost)))
            f.write(dump(assistant(session, cwd, when + 0.9, model, msg_id, req_id, u, cost=cost)))
            kept.append((msg_id, req_id, model, u, when))
        f.write(dump(assistant(session, cwd, when + 1, "<synthetic>", f"msg_syn_{session[:8]}", None,
                               {"input_tokens": 0, "output_tokens": 0})))
        f.write("{this line is not json\n")
    if rng.random() < 0.4 and kept:  # a subagent transcript: own responses plus a replay
        sub = os.path.join(pdir, session, "subagents")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"agent-{session[:8]}.jsonl"), "w") as f:
            for n in range(rng.randint(1, 4)):
                f.write(dump(assistant(session, cwd, when + 10 + n, rng.choice(MODELS), f"msg_sub_{session[:8]}_{n}",
                                       f"req_sub_{session[:8]}_{n}", usage(rng, False), sidechain=True)))
            msg_id, req_id, model, u, t = rng.choice(kept)
            f.write(dump(assistant(session, cwd, t + 0.5, model, msg_id, req_id, u, sidechain=True)))
            replayed.append(session)


def main() -> None:
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    random.seed(seed)
    replayed = []
    for p in range(4):
        for s in range(6):
            write_session(rng, out, f"project-{p}", str(uuid.UUID(int=rng.getrandbits(128))), replayed)
    with open(os.path.join(out, "replayed_sessions.json"), "w") as f:
        json.dump(replayed, f)


if __name__ == "__main__":
    main()
