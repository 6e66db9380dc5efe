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
    """Names declared at depth 0 of an anonymous namespace, or `static` at file scope."""
    text = strip(open(path, encoding="utf-8", errors="replace").read())
    names = set()
    depth = 0
    anonymous_depths = []  # brace depth inside each open anonymous namespace
    statement = ""
    for char in text:
        if char == "{":
            opens_anonymous = re.search(r"\bnamespace\s*$", statement) is not None
            if depth_is_scope(depth, anonymous_depths, statement):
                record(statement, names)
            depth += 1
            if opens_anonymous:
                anonymous_depths.append(depth)
            statement = ""
        elif char == "}":
            if anonymous_depths and anonymous_depths[-1] == depth:
                anonymous_depths.pop()
            depth -= 1
            statement = ""
        elif char == ";":
            if depth_is_scope(depth, anonymous_depths, statement):
                record(statement, names)
            statement = ""
        else:
            statement += char
    return names


def depth_is_scope(depth, anonymous_depths, statement):
    in_anonymous = bool(anonymous_depths) and anonymous_depths[-1] == depth
    at_file_scope_static = re.match(r"\s*static\b", statement) is not None
    return in_anonymous or at_file_scope_static


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
    seen = {}
    for path in sys.argv[1:]:
        names = file_scope_names(path)
        if any(name in seen for name in names):
            clashes = sorted(name for name in names if name in seen)
            print(path)
            print(f"unity_clashes: {path}: {', '.join(clashes)}", file=sys.stderr)
            continue
        for name in names:
            seen[name] = path


if __name__ == "__main__":
    main()
