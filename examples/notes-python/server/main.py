#!/usr/bin/env python3
"""Notes example MCP server: hand-written JSON-RPC 2.0 over stdio, no third-party packages.

Messages are newline-delimited JSON (MCP stdio transport). Implements initialize, ping,
tools/list, tools/call, prompts/list, prompts/get, resources/list and resources/templates/list;
any other request gets -32601 (method not found). Notifications never get a response.
"""

from __future__ import annotations

import json
import os
import sys

try:
    from notes_store import NoteStore
except ImportError:  # started directly, without the manifest's PYTHONPATH=${__dirname}/server/lib
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    from notes_store import NoteStore

PROTOCOL_VERSION = "2025-06-18"
SERVER_INFO = {"name": "notes", "version": "1.0.0"}

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602

TOOLS = [
    {
        "name": "add_note",
        "description": "Add a note with a title, a body and optional tags.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "title": {"type": "string", "description": "Short title."},
                "body": {"type": "string", "description": "The note text."},
                "tags": {"type": "array", "items": {"type": "string"}, "description": "Optional tags."},
            },
            "required": ["title", "body"],
            "additionalProperties": False,
        },
    },
    {
        "name": "list_notes",
        "description": "List all notes, optionally only those with a tag.",
        "inputSchema": {
            "type": "object",
            "properties": {"tag": {"type": "string", "description": "Only notes with this tag."}},
            "additionalProperties": False,
        },
    },
    {
        "name": "search_notes",
        "description": "Find notes whose title or body contains the query (case-insensitive).",
        "inputSchema": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "Text to look for."}},
            "required": ["query"],
            "additionalProperties": False,
        },
    },
]

PROMPTS = [
    {
        "name": "summarize_notes",
        "description": "Ask the model to summarize the notes with a tag.",
        "arguments": [{"name": "tag", "description": "The tag to summarize.", "required": True}],
    }
]


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


store = NoteStore()


def text_result(value, is_error: bool = False) -> dict:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    result = {"content": [{"type": "text", "text": text}]}
    if is_error:
        result["isError"] = True
    return result


def require_str(args: dict, key: str, required: bool = True) -> str | None:
    value = args.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise RpcError(INVALID_PARAMS, f"argument '{key}' must be a string")
    return value


def call_tool(name: str, args: dict) -> dict:
    if not isinstance(args, dict):
        raise RpcError(INVALID_PARAMS, "arguments must be an object")
    if name == "add_note":
        tags = args.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise RpcError(INVALID_PARAMS, "argument 'tags' must be an array of strings")
        try:
            note = store.add(require_str(args, "title"), require_str(args, "body"), tags)
        except ValueError as err:
            return text_result(str(err), is_error=True)
        return text_result(note.as_dict())
    if name == "list_notes":
        return text_result([n.as_dict() for n in store.list(require_str(args, "tag", required=False))])
    if name == "search_notes":
        return text_result([n.as_dict() for n in store.search(require_str(args, "query"))])
    raise RpcError(INVALID_PARAMS, f"unknown tool: {name}")


def get_prompt(name: str, args: dict) -> dict:
    if name != "summarize_notes":
        raise RpcError(INVALID_PARAMS, f"unknown prompt: {name}")
    tag = (args or {}).get("tag")
    if not isinstance(tag, str):
        raise RpcError(INVALID_PARAMS, "argument 'tag' is required")
    notes = "\n".join(f"- {n.title}: {n.body}" for n in store.list(tag)) or "(no notes)"
    return {
        "description": f"Summarize the notes tagged {tag}",
        "messages": [{"role": "user", "content": {"type": "text", "text": f"Summarize these notes tagged '{tag}':\n{notes}"}}],
    }


def handle(method: str, params: dict):
    if method == "initialize":
        return {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {"tools": {"listChanged": False}, "prompts": {"listChanged": False}, "resources": {}},
            "serverInfo": SERVER_INFO,
        }
    if method == "ping":
        return {}
    if method == "tools/list":
        return {"tools": TOOLS}
    if method == "tools/call":
        return call_tool(params.get("name"), params.get("arguments") or {})
    if method == "prompts/list":
        return {"prompts": PROMPTS}
    if method == "prompts/get":
        return get_prompt(params.get("name"), params.get("arguments") or {})
    if method == "resources/list":
        return {"resources": []}
    if method == "resources/templates/list":
        return {"resourceTemplates": []}
    raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")


def respond(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def process(line: str) -> None:
    try:
        msg = json.loads(line)
    except json.JSONDecodeError as err:
        respond({"jsonrpc": "2.0", "id": None, "error": {"code": PARSE_ERROR, "message": f"Parse error: {err}"}})
        return
    if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0" or not isinstance(msg.get("method"), str):
        if isinstance(msg, dict) and ("result" in msg or "error" in msg):
            return  # a response to a request we never send; ignore
        respond({"jsonrpc": "2.0", "id": msg.get("id") if isinstance(msg, dict) else None,
                 "error": {"code": INVALID_REQUEST, "message": "Invalid Request"}})
        return
    is_notification = "id" not in msg
    params = msg.get("params") or {}
    try:
        if not isinstance(params, dict):
            raise RpcError(INVALID_PARAMS, "params must be an object")
        result = handle(msg["method"], params)
        if not is_notification:
            respond({"jsonrpc": "2.0", "id": msg["id"], "result": result})
    except RpcError as err:
        if not is_notification:
            respond({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": err.code, "message": err.message}})
    except Exception as err:  # never crash the stream on one bad request
        if not is_notification:
            respond({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32603, "message": f"Internal error: {err}"}})


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            process(line)


if __name__ == "__main__":
    main()
