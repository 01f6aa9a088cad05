"""Composes a VERL main_ppo command line with VERL's real config, as VERL does, for the tests.

    python3 compose.py CONFIG_YAML VERSION [--cfg-job] -- OVERRIDE...

CONFIG_YAML is a release's verl/trainer/config/_generated_ppo_trainer.yaml (vendored under vendor/verl/),
the config Hydra composes for main_ppo. The overrides are applied by Hydra's rules, written out from Hydra's
source (facebookresearch/hydra: hydra/grammar/OverrideLexer.g4 and OverrideParser.g4 for the syntax and the
typing of values, hydra/core/override_parser/overrides_visitor.py for quoted strings and escapes,
hydra/_internal/config_loader_impl.py:420-512 for the prefixes), on an OmegaConf config in struct mode.
VERL 0.8.0's main() then migrates the legacy reward keys (verl/experimental/reward_loop/reward_loop.py:59-60
at v0.8.0); 0.9.0's does not. Prints, as JSON, the reward function VERL's loader reads
(verl/trainer/ppo/reward.py:70: config.reward.custom_reward_function) and the value and type of every key an
override set; with --cfg-job, prints the composed config as YAML instead (what `main_ppo --cfg job` prints).
Exits 1 with Hydra's kind of message on an override Hydra refuses.

Needs python3-omegaconf (Debian); Hydra itself is not packaged there, hence its rules written out here.
"""

import json
import re
import sys

from omegaconf import OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

# OverrideLexer.g4: INT, FLOAT, BOOL, NULL; an unquoted primitive of ID and UNQUOTED_CHAR ([/\-\\+.$%*@?|]),
# ':' and inner spaces, and ESC sequences (a backslash before one of \()[]{}:=, and space or tab).
INT = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)$")
FLOAT = re.compile(
    r"[+-]?((([0-9](_?[0-9])*)?\.[0-9](_?[0-9])*|[0-9](_?[0-9])*\.)([eE][+-]?[0-9](_?[0-9])*)?"
    r"|[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*|[Ii][Nn][Ff]|[Nn][Aa][Nn])$"
)
ESC = re.compile(r"\\([\\()\[\]{}:=, \t])")
UNQUOTED = re.compile(r"([A-Za-z0-9_/\-\\+.$%*@?|: \t]|\\[\\()\[\]{}:=, \t])*$")
INTERPOLATION = re.compile(r"\$\{[^}]+\}$")
KEY = re.compile(r"(~|\+\+|\+)?([A-Za-z_$][A-Za-z0-9_$-]*(\.([A-Za-z_$][A-Za-z0-9_$-]*|0|[1-9][0-9]*))*)(=(.*))?$", re.S)


class HydraError(Exception):
    pass


def unquote(text):
    """overrides_visitor._unescape_quoted_string: a run of N backslashes before the quote gives N//2 of them."""
    q = text[0]
    body = text[1:-1]
    out = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            j = i
            while j < len(body) and body[j] == "\\":
                j += 1
            run = j - i
            if j < len(body) and body[j] == q:
                out.append("\\" * (run // 2) + q)
                i = j + 1
            elif j == len(body):
                out.append("\\" * (run // 2))
                i = j
            else:
                out.append("\\" * run)
                i = j
        elif body[i] == q:
            raise HydraError(f"unescaped {q} inside a quoted value: {text}")
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def split_top(text, sep=","):
    """Splits a list body at top-level commas, outside quotes and brackets."""
    parts, depth, quote, cur, i = [], 0, None, "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            cur += ch
            if ch == "\\" and i + 1 < len(text):
                cur += text[i + 1]
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            cur += ch
        elif ch in "[{":
            depth += 1
            cur += ch
        elif ch in "]}":
            depth -= 1
            cur += ch
        elif ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return parts


def value_of(text):
    """A Hydra override value as Python: the types Hydra gives it."""
    stripped = text.strip(" \t")
    if text != "" and stripped == "":
        raise HydraError("Trying to parse a primitive that is all whitespaces")
    t = stripped
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return unquote(t)
    if t.startswith("[") and t.endswith("]"):
        inner = t[1:-1].strip()
        return [] if inner == "" else [value_of(p) for p in split_top(inner)]
    if t.startswith("{") and t.endswith("}"):
        inner = t[1:-1].strip()
        out = {}
        for p in ([] if inner == "" else split_top(inner)):
            k, _, v = p.partition(":")
            out[k.strip()] = value_of(v)
        return out
    if INTERPOLATION.match(t):
        return t
    if INT.match(t):
        return int(t.replace("_", ""))
    if FLOAT.match(t):
        return float(t.replace("_", ""))
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    if t.lower() == "null":
        return None
    if "," in ESC.sub("", t):
        raise HydraError(f"Ambiguous value for argument '{text}': to use it as a string, quote the value")
    if not UNQUOTED.match(t):
        raise HydraError(f"mismatched input in '{text}': quote the value")
    return ESC.sub(r"\1", t)


def exists(cfg, key):
    node = cfg
    for part in key.split("."):
        # `in` is False for a ??? (missing) value, which Hydra still overrides: ask for the node itself.
        try:
            child = node._get_node(part) if OmegaConf.is_dict(node) else None
        except OmegaConfBaseException:  # not in struct
            child = None
        if child is None:
            return False, None
        node = child
    return True, node


def apply(cfg, override):
    m = KEY.match(override)
    if m is None:
        raise HydraError(f"Error parsing override '{override}'")
    prefix, key, has_value, raw = m.group(1) or "", m.group(2), m.group(5), m.group(6)
    if has_value is None and prefix != "~":
        raise HydraError(f"Error parsing override '{override}': missing '='")
    there, node = exists(cfg, key)
    if prefix == "~":
        if not there:
            raise HydraError(f"Could not delete from config. '{key}' does not exist.")
        parent, _, leaf = key.rpartition(".")
        with open_dict(cfg):
            del (OmegaConf.select(cfg, parent) if parent else cfg)[leaf]
        return None
    value = value_of(raw)
    if prefix == "":
        if not there:
            raise HydraError(f"Could not override '{key}'.\nTo append to your config use +{override}")
        OmegaConf.update(cfg, key, value, merge=True)
    elif prefix == "+":
        if there and node is not None and not node._is_none() and not isinstance(value, (dict, list)):
            raise HydraError(f"Could not append to config. An item is already at '{key}'.")
        with open_dict(cfg):
            OmegaConf.update(cfg, key, value, merge=True, force_add=True)
    else:
        with open_dict(cfg):
            OmegaConf.update(cfg, key, value, merge=True, force_add=True)
    return key


def migrate_legacy_reward(cfg):
    """VERL 0.8.0, verl/experimental/reward_loop/reward_loop.py:59-60 and 85-88 (the reward-function part)."""
    legacy = cfg.custom_reward_function
    if not all(v is None for v in legacy.values()):
        cfg.reward.custom_reward_function = legacy
    with open_dict(cfg):
        del cfg.custom_reward_function


def main(argv):
    config_path, version = argv[0], argv[1]
    cfg_job = "--cfg-job" in argv
    overrides = argv[argv.index("--") + 1 :]
    cfg = OmegaConf.load(config_path)
    OmegaConf.set_struct(cfg, True)
    keys = []
    try:
        for o in overrides:
            k = apply(cfg, o)
            if k is not None:
                keys.append(k)
    except (HydraError, OmegaConfBaseException) as e:
        print(f"Error merging override: {e}", file=sys.stderr)
        return 1
    if cfg_job:
        print(OmegaConf.to_yaml(cfg), end="")
        return 0
    if version == "0.8.0":
        migrate_legacy_reward(cfg)
    reward = cfg.reward.get("custom_reward_function") or {}
    values = {}
    for k in keys:
        there, _ = exists(cfg, k)
        if not there:
            continue
        v = OmegaConf.select(cfg, k)
        if OmegaConf.is_config(v):
            v = OmegaConf.to_container(v, resolve=True)
        values[k] = {"value": v, "type": type(v).__name__}
    print(json.dumps({"reward": {"path": reward.get("path"), "name": reward.get("name")}, "values": values}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
