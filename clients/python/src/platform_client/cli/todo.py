"""`todo`: sign in, list and add todos, and keep files in your own S3 folder.

todo login alice@example.com            # password: the prompt, --password-stdin or $PLATFORM_PASSWORD
todo add "Buy milk" --due 2026-12-24
todo ls [--done | --open] [--all]
todo done TODO_ID
todo files put ./photo.jpg [--as NAME]
todo files ls
todo logout
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from platform_client.cli import common
from platform_client.files import FilesClient
from platform_client.models import Todo
from platform_client.todos import TodosClient


def _parser() -> argparse.ArgumentParser:
    p = common.parser("todo", "MyTodoList from the command line")
    sub = p.add_subparsers(dest="command", required=True)
    out = common.output()
    common.add_session_commands(sub, out)
    ls = sub.add_parser("ls", parents=[out], help="your todos, newest first")
    state = ls.add_mutually_exclusive_group()
    state.add_argument("--done", dest="done", action="store_const", const=True, help="only done ones")
    state.add_argument("--open", dest="done", action="store_const", const=False, help="only open ones")
    ls.add_argument("--limit", type=int, default=20, help="one page of this many (default 20)")
    ls.add_argument("--all", action="store_true", help="every page")
    add = sub.add_parser("add", parents=[out], help="add a todo")
    add.add_argument("title")
    add.add_argument("--notes")
    add.add_argument("--due", metavar="YYYY-MM-DD")
    done = sub.add_parser("done", parents=[out], help="mark a todo done")
    done.add_argument("todo_id")
    files = sub.add_parser("files", help="your own S3 folder").add_subparsers(dest="files_command", required=True)
    put = files.add_parser("put", parents=[out], help="upload a file")
    put.add_argument("path")
    put.add_argument("--as", dest="name", help="the name to store it under (default: the file's name)")
    files.add_parser("ls", parents=[out], help="list your files")
    return p


def _line(todo: Todo) -> str:
    due = f"  (due {todo['due']})" if todo["due"] else ""
    return f"{todo['todoId']}  [{'x' if todo['done'] else ' '}] {todo['title']}{due}"


def _files(args: argparse.Namespace, files: FilesClient) -> None:
    if args.files_command == "put":
        print(files.put(args.path, args.name))
        return
    found = files.list()
    if args.json:
        common.print_json([f.__dict__ for f in found])
        return
    for f in found:
        print(f"{f.size:>10}  {f.modified:%Y-%m-%d %H:%M}  {f.name}")


def _todos(args: argparse.Namespace, todos: TodosClient) -> None:
    if args.command == "ls":
        if args.all:
            items = list(todos.iter_all(done=args.done))
        else:
            items = todos.list(done=args.done, limit=args.limit)["items"]
        common.print_json(items) if args.json else print("\n".join(_line(t) for t in items) or "no todos")
        return
    if args.command == "add":
        todo = todos.create(args.title, notes=args.notes, due=args.due)
    else:
        todo = todos.update(args.todo_id, {"done": True})
    common.print_json(todo) if args.json else print(_line(todo))


def _main(args: argparse.Namespace) -> None:
    where = common.endpoints(args)
    auth = common.auth(args, where)
    if common.session_command(args, auth):
        return
    if args.command == "files":
        _files(args, FilesClient(auth))
    else:
        where.require("todos_api")
        _todos(args, TodosClient(where.todos_api or "", auth.id_token))


def main(argv: Sequence[str] | None = None) -> int:
    return common.run(_main, _parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
