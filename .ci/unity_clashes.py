#!/usr/bin/env python3
"""Prints the source files a unity build must compile on their own: files that define, at file
scope in an anonymous namespace (or `static`), a name another file of the same list also
defines. In one unity translation unit the two definitions would clash. The first file that
uses a name stays in the unity build; the later ones are listed, one per line.
A heuristic for this code base's style (clang-format, `} // namespace` closings): it reads
declarations at the top level of each anonymous namespace.
Usage: unity_clashes.py FILE...  (in the order CMake batches them)"""
import re
import sys

DECLARATION = re.compile(
    r"^(?:template\s*<[^;{]*>\s*)?"
    r"(?:(?:static|inline|constexpr|const|extern|\[\[[a-z_]+\]\])\s+)*"
    r"(?:(?:struct|class|enum\s+class|enum|union)\s+(?P<type>[A-Za-z_]\w*)"
    r"|using\s+(?P<alias>[A-Za-z_]\w*)\s*="
    r"|[\w:<>,\s\*&]+?[\s\*&](?P<name>[A-Za-z_]\w*)\s*(?:\(|\{|=|\[|;))")


def strip(source):
    """Source without comments, string and character literals (kept line structure)."""
    source = re.sub(r"//[^\n]*", "", source)
    source = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)
    source = re.sub(r'R"([^(]*)\((?:.|\n)*?\)\1"', '""', source)
    source = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', source)
    return re.sub(r"'(?:[^'\\\n]|\\.)*'", "''", source)


def file_scope_names(path):
    """(private, public): names declared at the top of an anonymous namespace or `static` at
    file scope, and names declared at the top of a named namespace."""
    text = strip(open(path, encoding="utf-8", errors="replace").read())
    private, public = set(), set()
    depth = 0
    namespaces = [(0, False)]  # (brace depth inside, anonymous) of each open namespace
    statement = ""
    for char in text:
        if char in "{;":
            top_depth, anonymous = namespaces[-1]
            if depth == top_depth:
                is_static = re.match(r"\s*static\b", statement) is not None
                record(statement, private if anonymous or is_static else public)
        if char == "{":
            opened = re.search(r"\bnamespace\s*([A-Za-z_][\w:]*)?\s*$", statement)
            depth += 1
            if opened:
                namespaces.append((depth, opened.group(1) is None))
            statement = ""
        elif char == "}":
            if len(namespaces) > 1 and namespaces[-1][0] == depth:
                namespaces.pop()
            depth -= 1
            statement = ""
        elif char == ";":
            statement = ""
        else:
            statement += char
    return private, public


def record(statement, names):
    statement = " ".join(line for line in statement.split("\n") if not line.strip().startswith("#"))
    statement = statement.strip()
    if not statement or statement.startswith("namespace") or statement.startswith("TEST"):
        return
    match = DECLARATION.match(statement + ("" if statement[-1:] in "({=[" else ";"))
    if match:
        name = match.group("type") or match.group("alias") or match.group("name")
        if name not in {"operator", "const", "override", "noexcept"}:
            names.add(name)


def main():
    """A file is compiled on its own when one of its private names is also a name of an earlier
    file (private or public), or a public name of a later one: in one unity translation unit the
    private declaration would clash with, or hide, the other."""
    files = [(path, *file_scope_names(path)) for path in sys.argv[1:]]
    for index, (path, private, _) in enumerate(files):
        clashes = set()
        for other_index, (_, other_private, other_public) in enumerate(files):
            if other_index < index:
                clashes |= private & (other_private | other_public)
            elif other_index > index:
                clashes |= private & other_public
        if clashes:
            print(path)
            print(f"unity_clashes: {path}: {', '.join(sorted(clashes))}", file=sys.stderr)


if __name__ == "__main__":
    main()
