"""`todo`: sign in, list and add todos, and keep files in your own S3 folder.

todo login alice@example.com            # password from the prompt, stdin (--password-stdin) or $TODO_PASSWORD
todo add "Buy milk" --due 2026-12-24
todo ls [--done | --open] [--all]
todo done TODO_ID
todo files put ./photo.jpg [--as NAME]
todo files ls
todo logout
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence

from platform_client.cli import common
from platform_client.files import FilesClient
from platform_client.models import Todo
from platform_client.todos import TodosClient

PASSWORD_VAR = "TODO_PASSWORD"  # noqa: S105 (the name of the variable, not a password)


def _parser() -> argparse.ArgumentParser:
    p = common.parser("todo", "MyTodoList from the command line")
    sub = p.add_subparsers(dest="command", required=True)
    out = common.output()
    login = sub.add_parser("login", parents=[out], help="sign in and keep the tokens")
    login.add_argument("username", help="the email you signed up with")
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sub.add_parser("logout", parents=[out], help="forget the tokens")
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


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return os.environ.get(PASSWORD_VAR) or getpass.getpass(f"password for {args.username}: ")


def _main(args: argparse.Namespace) -> int:
    where = common.endpoints(args)
    auth = common.auth(args, where)
    if args.command == "login":
        auth.login(args.username, _password(args))
        print(f"signed in as {args.username}")
        return 0
    if args.command == "logout":
        auth.logout()
        return 0
    if args.command == "files":
        files = FilesClient(auth)
        if args.files_command == "put":
            print(files.put(args.path, args.name))
        else:
            found = files.list()
            if args.json:
                common.print_json([f.__dict__ for f in found])
            for f in [] if args.json else found:
                print(f"{f.size:>10}  {f.modified:%Y-%m-%d %H:%M}  {f.name}")
        return 0
    where.require("todos_api")
    todos = TodosClient(where.todos_api or "", auth.id_token)
    if args.command == "add":
        todo = todos.create(args.title, notes=args.notes, due=args.due)
        common.print_json(todo) if args.json else print(_line(todo))
    elif args.command == "done":
        todo = todos.update(args.todo_id, {"done": True})
        common.print_json(todo) if args.json else print(_line(todo))
    else:
        items = (
            list(todos.iter_all(done=args.done)) if args.all else todos.list(done=args.done, limit=args.limit)["items"]
        )
        common.print_json(items) if args.json else print("\n".join(_line(t) for t in items) or "no todos")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return common.run(_main, _parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
