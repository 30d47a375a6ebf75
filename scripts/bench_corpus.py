#!/usr/bin/env python3
"""Deterministic generator of a monorepo-like benchmark corpus for tollgate.

    scripts/bench_corpus.py OUT_DIR --files 20000 [--seed 1]

Same arguments, same bytes. The tree (counts are of files outside node_modules):
  - ~3%  SQL migrations under services/*/supabase/migrations: tables, RLS (some missing),
         policies, plpgsql functions with dollar-quoted bodies, DO blocks, grants;
  - ~0.7% env files (.env.example, .env.production.example, ...) with placeholders and a few
         realistic fake keys;
  - ~0.6% multi-stage Dockerfiles (some run as root, pipe curl to sh, unpinned bases);
  - ~2%  multi-document Kubernetes manifests (Deployments, Services, CronJobs, ConfigMaps);
  - ~4%  Markdown docs and runbooks;
  - the rest ordinary source and asset files (TypeScript, Python, Go, CSS, HTML, SVG); about one
    in 150 code files holds a fake credential;
  - a gitignored node_modules/ with N/5 more files that every tool should skip.
The directory is made a git repository with one commit (detect-secrets scans tracked files).
"""

import argparse
import os
import random
import string
import subprocess
import sys

ALNUM = string.ascii_letters + string.digits


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def word(self):
        return self.r.choice(WORDS)

    def ident(self, n=2):
        return "_".join(self.word() for _ in range(n))

    def token(self, alphabet, n):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def fake_secret(self):
        kind = self.r.randrange(5)
        if kind == 0:
            return "AKIA" + self.token(string.ascii_uppercase + string.digits, 16)
        if kind == 1:
            return "ghp_" + self.token(ALNUM, 36)
        if kind == 2:
            return "sk_live_" + self.token(ALNUM, 24)
        if kind == 3:
            return "xoxb-" + self.token(string.digits, 12) + "-" + self.token(string.digits, 12) + "-" + self.token(ALNUM, 24)
        return self.token(ALNUM + "+/", 40)


WORDS = (
    "account user order invoice payment ledger tenant project member role session token audit event "
    "report note comment file upload bot channel message thread queue job task schedule price plan "
    "subscription customer address shipment item cart refund webhook key secret profile setting team "
    "workspace document page block view metric alert incident"
).split()


def migration(g, index):
    out = [f"-- migration {index}: {g.word()} {g.word()}\n", "begin;\n\n"]
    for _ in range(g.r.randint(1, 4)):
        table = g.ident()
        cols = ",\n".join(
            f"  {g.ident(1)}_{i} {g.r.choice(['text', 'int', 'bigint', 'timestamptz default now()', 'jsonb', 'uuid references public.users(id)'])}"
            for i in range(g.r.randint(3, 12))
        )
        out.append(f"create table if not exists public.{table} (\n  id uuid primary key default gen_random_uuid(),\n{cols}\n);\n\n")
        if g.r.random() < 0.9:
            out.append(f"alter table public.{table} enable row level security;\n")
            out.append(
                f"create policy \"{table}_owner\" on public.{table}\n  for select using (auth.uid() = user_id);\n\n"
            )
        out.append(f"create index on public.{table} (created_at);\n")
        out.append(f"grant select on public.{table} to authenticated;\n\n")
    if g.r.random() < 0.6:
        fn = g.ident()
        out.append(
            f"create or replace function public.{fn}() returns trigger\nlanguage plpgsql security definer as $$\n"
            "declare\n  v_count int;\nbegin\n"
            f"  select count(*) into v_count from public.{g.ident()} where tenant_id = new.tenant_id;\n"
            "  if v_count > 100 then\n    raise exception 'limit reached; see ''docs''';\n  end if;\n"
            "  new.updated_at := now();\n  return new;\nend;\n$$;\n\n"
        )
    if g.r.random() < 0.3:
        out.append(
            "do $body$\nbegin\n  if not exists (select 1 from pg_roles where rolname = 'reporting') then\n"
            "    create role reporting;\n  end if;\nend\n$body$;\n\n"
        )
    out.append("commit;\n")
    return "".join(out)


def env_file(g):
    lines = ["# Copy to .env and fill in\n"]
    for _ in range(g.r.randint(5, 30)):
        key = g.ident().upper()
        roll = g.r.random()
        if roll < 0.5:
            value = g.r.choice(["changeme", "your-key-here", "<fill-me>", "", "http://localhost:3000", "true", "42"])
        elif roll < 0.95:
            value = g.token(string.ascii_lowercase, 8)
        else:
            value = g.fake_secret()
        lines.append(f"{key}={value}\n")
    return "".join(lines)


def dockerfile(g):
    base = g.r.choice(["node:20-alpine", "python:3.12-slim", "golang:1.22", "ubuntu", "node:latest"])
    out = [f"FROM {base} AS build\nWORKDIR /src\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\n"]
    if g.r.random() < 0.2:
        out.append("RUN curl -fsSL https://example.com/install.sh | sh\n")
    out.append("FROM gcr.io/distroless/nodejs20-debian12 AS runtime\nWORKDIR /app\n")
    out.append("COPY --from=build /src/dist ./dist\n")
    if g.r.random() < 0.7:
        out.append("USER 10001:10001\n")
    out.append('HEALTHCHECK CMD ["node", "dist/health.js"]\n' if g.r.random() < 0.5 else "")
    out.append('CMD ["dist/main.js"]\n')
    return "".join(out)


def manifest(g, svc):
    docs = []
    for _ in range(g.r.randint(2, 5)):
        kind = g.r.choice(["Deployment", "Service", "ConfigMap", "CronJob"])
        name = f"{svc}-{g.word()}"
        if kind == "Deployment":
            sec = "        securityContext:\n          runAsNonRoot: true\n          readOnlyRootFilesystem: true\n          allowPrivilegeEscalation: false\n" if g.r.random() < 0.6 else ""
            res = "        resources:\n          limits:\n            cpu: 500m\n            memory: 256Mi\n" if g.r.random() < 0.7 else ""
            docs.append(
                f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels: &labels\n    app: {name}\n"
                f"spec:\n  replicas: {g.r.randint(1, 5)}\n  selector:\n    matchLabels: *labels\n  template:\n"
                f"    metadata:\n      labels: *labels\n    spec:\n      containers:\n      - name: {name}\n"
                f"        image: registry.example.com/{svc}:{g.r.choice(['1.4.2', 'latest', 'sha-3f2a1c'])}\n"
                f"        ports:\n        - containerPort: 8080\n{sec}{res}"
                "        env:\n        - name: LOG_LEVEL\n          value: info\n"
            )
        elif kind == "Service":
            docs.append(
                f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {name}\n"
                "  ports:\n  - port: 80\n    targetPort: 8080\n"
            )
        elif kind == "ConfigMap":
            data = "".join(f"  {g.ident(1)}: \"{g.word()}\"\n" for _ in range(g.r.randint(2, 10)))
            docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{data}")
        else:
            docs.append(
                f"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: \"*/5 * * * *\"\n"
                "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n"
                f"          containers:\n          - name: job\n            image: busybox:1.36\n"
                "            command: [\"sh\", \"-c\", \"date\"]\n"
            )
    return "---\n".join(docs)


def ts_file(g, secret):
    name = g.ident()
    lines = [f"import {{ {g.word()} }} from './{g.word()}';\nimport type {{ Row }} from '../types';\n\n"]
    if secret:
        lines.append(f"const API_KEY = \"{g.fake_secret()}\";\n\n")
    for _ in range(g.r.randint(2, 12)):
        fn = g.ident()
        lines.append(
            f"export async function {fn}(input: Row): Promise<Row[]> {{\n"
            f"  const rows = await db.from('{g.word()}').select('*').eq('id', input.id);\n"
            f"  if (!rows.length) {{\n    throw new Error('no {g.word()} for ' + input.id);\n  }}\n"
            f"  return rows.map((r) => ({{ ...r, {g.word()}: r.{g.word()} ?? null }}));\n}}\n\n"
        )
    lines.append(f"export default {name};\n")
    return "".join(lines)


def py_file(g, secret):
    lines = ['"""%s %s."""\n\nimport os\nimport json\n\n' % (g.word().title(), g.word())]
    if secret:
        lines.append(f'TOKEN = "{g.fake_secret()}"\n\n')
    for _ in range(g.r.randint(2, 10)):
        lines.append(
            f"def {g.ident()}(payload, *, retries=3):\n    data = json.loads(payload)\n"
            f"    for attempt in range(retries):\n        if data.get('{g.word()}'):\n"
            f"            return data['{g.word()}']\n    return os.environ.get('{g.ident().upper()}', '')\n\n\n"
        )
    return "".join(lines)


def go_file(g, secret):
    lines = [f"package {g.word()}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n)\n\n"]
    if secret:
        lines.append(f"const apiKey = \"{g.fake_secret()}\"\n\n")
    for _ in range(g.r.randint(2, 10)):
        lines.append(
            f"func {g.word().title()}{g.word().title()}(ctx context.Context, id string) error {{\n"
            f"\tif id == \"\" {{\n\t\treturn fmt.Errorf(\"missing {g.word()} id\")\n\t}}\n\treturn nil\n}}\n\n"
        )
    return "".join(lines)


def asset(g, ext):
    if ext == "css":
        return "".join(f".{g.word()}-{g.word()} {{ margin: {g.r.randint(0, 32)}px; color: #{g.token('0123456789abcdef', 6)}; }}\n" for _ in range(g.r.randint(10, 80)))
    if ext == "html":
        return "<!doctype html>\n<html><body>\n" + "".join(f"<p class=\"{g.word()}\">{g.word()} {g.word()}</p>\n" for _ in range(g.r.randint(10, 60))) + "</body></html>\n"
    return "<svg xmlns=\"http://www.w3.org/2000/svg\">" + "".join(f"<path d=\"M{g.r.randint(0, 99)} {g.r.randint(0, 99)}L{g.r.randint(0, 99)} {g.r.randint(0, 99)}\"/>" for _ in range(g.r.randint(20, 120))) + "</svg>\n"


def markdown(g):
    return f"# {g.word().title()} runbook\n\n" + "".join(
        f"## {g.word().title()}\n\n1. Check the `{g.ident()}` dashboard.\n2. Run `kubectl rollout restart deploy/{g.word()}`.\n\n"
        for _ in range(g.r.randint(2, 8))
    )


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def generate(out, n, seed):
    g = Gen(seed)
    services = [f"svc-{i:03d}-{g.word()}" for i in range(max(4, n // 400))]
    counts = {}

    def add(kind):
        counts[kind] = counts.get(kind, 0) + 1

    write(os.path.join(out, ".gitignore"), "node_modules/\ndist/\n*.log\n")
    made = 1
    mig_index = 0
    for i in range(n - 1):
        svc = services[i % len(services)]
        root = os.path.join(out, "services", svc)
        roll = g.r.random()
        if roll < 0.03:
            mig_index += 1
            path = os.path.join(root, "supabase", "migrations", f"2024{mig_index:08d}_{g.ident()}.sql")
            write(path, migration(g, mig_index))
            add("sql")
        elif roll < 0.037:
            name = g.r.choice([".env.example", ".env.production.example", ".env.staging.example", ".env.sample"])
            write(os.path.join(root, f"cfg{i}", name), env_file(g))
            add("env")
        elif roll < 0.043:
            write(os.path.join(root, f"img{i}", "Dockerfile"), dockerfile(g))
            add("docker")
        elif roll < 0.063:
            write(os.path.join(out, "deploy", "k8s", svc, f"{g.word()}-{i}.yaml"), manifest(g, svc))
            add("k8s")
        elif roll < 0.10:
            write(os.path.join(root, "docs", f"{g.word()}-{i}.md"), markdown(g))
            add("md")
        else:
            secret = g.r.random() < 1 / 150
            ext = g.r.choices(["ts", "py", "go", "css", "html", "svg"], weights=[45, 20, 15, 8, 7, 5])[0]
            sub = g.r.choice(["src", "src/lib", "src/api", "src/components", "internal", "pkg"])
            path = os.path.join(root, sub, f"{g.word()}_{i}.{ext}")
            text = {"ts": ts_file, "py": py_file, "go": go_file}.get(ext)
            write(path, text(g, secret) if text else asset(g, ext))
            add(ext)
        made += 1

    # Ignored dependencies: many small files every tool is expected to skip.
    for i in range(n // 5):
        pkg = f"pkg-{i // 50:04d}"
        write(os.path.join(out, "node_modules", pkg, f"index{i % 50}.js"), f"module.exports = {{ v: {i}, k: \"{g.fake_secret()}\" }};\n")
    return made, counts


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--files", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-git", action="store_true", help="do not make the corpus a git repository")
    a = p.parse_args()
    if os.path.exists(a.out) and os.listdir(a.out):
        sys.exit(f"{a.out} exists and is not empty")
    made, counts = generate(a.out, a.files, a.seed)
    if not a.no_git:
        env = dict(os.environ, GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
        git = ["git", "-C", a.out, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "commit.gpgsign=false"]
        subprocess.run(git + ["init", "-q"], check=True)
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "corpus"], check=True, env=env)
    print(f"{made} files (+{a.files // 5} in node_modules): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
