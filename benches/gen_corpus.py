#!/usr/bin/env python3
"""Generate a synthetic archive of replies for benchmarks and scale tests.

Every reply is a Markdown file with YAML front matter in the archive's
format (see README.md). Bodies are stitched from the sentences of
the real reply in tests/samples/, with numbers varied, so sizes and the
mix of Chinese text, numbers and punctuation look like the real thing.

  gen_corpus.py --n 10000 --out site            # the archive's format
  gen_corpus.py --n 10000 --out h --format hugo # same replies for Hugo
  gen_corpus.py --n 10000 --out z --format zola # same replies for Zola
  gen_corpus.py --n 10000 --out t --numeric-tables  # tables full of numbers

About one proposal in four is answered by two to four departments: a
lead reply (主办) and joint ones (会办) with the same number and 案由.

The same --seed gives byte-identical output. Files go under OUT/content/.
--numeric-tables adds, after what a section has by default, a table of
figures (counts, amounts, percentages side by side, cell after cell) to
about half the sections, for tests of search within one table cell; without
it the output is as it always was, so benchmarks compare with older runs.
"""
import argparse
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "tests", "samples", "reply-changzhou-2021-28.txt")

CITY = "常州市"
DEPARTMENTS = [
    ("工业和信息化局", "工信"), ("发展和改革委员会", "发改"), ("教育局", "教"),
    ("科学技术局", "科"), ("公安局", "公"), ("民政局", "民"), ("财政局", "财"),
    ("人力资源和社会保障局", "人社"), ("自然资源和规划局", "自然资源"),
    ("生态环境局", "环"), ("住房和城乡建设局", "住建"), ("交通运输局", "交"),
    ("水利局", "水"), ("农业农村局", "农"), ("商务局", "商"),
    ("文化广电和旅游局", "文广旅"), ("卫生健康委员会", "卫健"),
    ("退役军人事务局", "退役军人"), ("应急管理局", "应急"), ("审计局", "审"),
    ("市场监督管理局", "市监"), ("体育局", "体"), ("统计局", "统"),
    ("医疗保障局", "医保"), ("城市管理局", "城管"), ("政务服务管理办公室", "政务办"),
    ("数据局", "数据"), ("地方金融监督管理局", "金融"), ("司法局", "司"),
    ("民族宗教事务局", "民宗"), ("机关事务管理局", "机关事务"), ("总工会", "工会"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱江尹薛"
GIVEN = "国平建华文明庆林秀英志强海燕丽娟晓东红梅伟明春生玉兰金宝永胜德厚静怡子涵思远佳琪宇航雨桐"
NUMERALS = "一二三四五六七八九十"
TOPICS = [
    "中小企业提质增效", "智能制造", "职业技能培训", "创新创业", "营商环境",
    "减税降费", "老旧小区改造", "公共交通", "养老服务", "义务教育",
    "医疗保障", "生态环境治理", "乡村振兴", "数字经济", "文化旅游融合",
    "食品安全监管", "城市更新", "人才引进", "科技成果转化", "社区治理",
]
CC = ["市政府办公室", "市政协提案委", "市人大常委会人代工委", "市委督查室"]


def cn(n):
    """A number from 1 to 99 in Chinese numerals."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def sentences():
    text = open(SAMPLE, encoding="utf-8").read()
    body = text.split("答复如下：", 1)[-1].split("签 发 人", 1)[0]
    body = re.sub(r"\s+", "", body)
    parts = [s for s in re.split(r"(?<=[。；])", body) if len(s) > 20]
    return [re.sub(r"^[一二三四五六七八九十]+、", "", s) for s in parts]


def vary(rng, s):
    def num(m):
        if re.fullmatch(r"(19|20)\d\d", m.group()):
            return m.group()  # a year stays a year
        return str(round(float(m.group()) * rng.uniform(0.5, 2), 2 if m.group(1) else None))
    return re.sub(r"\d+(\.\d+)?", num, s)


def numeric_table(rng):
    """Markdown lines of a table of figures: digits in cell after cell."""
    years = sorted(rng.sample(range(2016, 2024), rng.randint(2, 4)))
    lines = ["| 指标 | " + " | ".join(f"{y}年" for y in years) + " | 增长 |",
             "| --- |" + " ---: |" * (len(years) + 1)]
    for t in rng.sample(TOPICS, rng.randint(2, 6)):
        values = [rng.choice([rng.randint(1, 99), rng.randint(100, 99999), round(rng.uniform(0, 9999), 2)])
                  for _ in years]
        first, last = values[0] or 1, values[-1]
        lines.append(f"| {t} | " + " | ".join(str(v) for v in values) + f" | {100 * (last - first) / first:.1f}% |")
    return lines + [""]


def body(rng, bank, topic, numeric_tables=False):
    out = []
    sections = rng.choice([2, 3, 3, 4, 4, 5, 6])
    out.append(f"您提出的《关于{topic}的建议》收悉，现就提出的建议答复如下：\n")
    out.append("".join(vary(rng, rng.choice(bank)) for _ in range(rng.randint(1, 3))) + "\n")
    for i in range(sections):
        out.append(f"## {cn(i + 1)}、{rng.choice(TOPICS)}工作情况\n")
        for _ in range(rng.randint(1, 4)):
            n = int(rng.lognormvariate(1.0, 0.7)) + 1
            out.append("".join(vary(rng, rng.choice(bank)) for _ in range(n)) + "\n")
        if rng.random() < 0.15:
            out.append("| 项目 | 2020年 | 2021年 | 增长 |\n| --- | ---: | ---: | ---: |")
            for t in rng.sample(TOPICS, 3):
                a = rng.randint(100, 9000)
                b = int(a * rng.uniform(0.8, 1.6))
                out.append(f"| {t} | {a} | {b} | {100 * (b - a) / a:.1f}% |")
            out.append("")
        if numeric_tables and rng.random() < 0.5:
            out.extend(numeric_table(rng))
        if rng.random() < 0.25:
            for k in range(rng.randint(2, 5)):
                out.append(f"{k + 1}. {vary(rng, rng.choice(bank))}")
            out.append("")
    out.append("感谢您对我市工作的关心和支持。\n")
    return "\n".join(out)


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--format", choices=["dafu", "hugo", "zola"], default="dafu")
    ap.add_argument("--seed", type=int, default=294)
    ap.add_argument("--numeric-tables", action="store_true",
                    help="add tables of figures to about half the sections")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    bank = sentences()
    root = os.path.join(a.out, "content")
    os.makedirs(root, exist_ok=True)
    if a.format == "zola":
        with open(os.path.join(root, "_index.md"), "w", encoding="utf-8") as f:
            f.write('+++\nsort_by = "date"\npaginate_by = 20\n+++\n')
    counters = {}
    # A proposal answered by several departments: the lead reply (主办) is
    # written first, the joint ones (会办) follow it as the next files of
    # the same year, answering the same number with the same 案由.
    group = None
    for i in range(a.n):
        year = 2015 + (i * 11) // max(a.n, 1)
        dept, abbr = rng.choice(DEPARTMENTS)
        kind = "提案" if rng.random() < 0.6 else "建议"
        joint = group is not None and group["year"] == year and group["left"] > 0
        if joint:
            kind = group["kind"]
        term, meeting = (13, year - 2016) if year < 2022 else (14, year - 2021)
        meeting = max(1, min(meeting, 5))
        if kind == "提案":
            session = f"市政协{cn(term)}届{cn(meeting)}次会议"
        else:
            session = f"市{cn(term + 4)}届人大{cn(meeting)}次会议"
        if joint:
            pid, role = group["pid"], "会办"
            group["left"] -= 1
            group["joint"] += 1
        else:
            counters[(year, kind)] = counters.get((year, kind), 0) + 1
            pid = f"{counters[(year, kind)]:04d}"
            # Most proposals have one answer; some two to four.
            size = rng.choices([1, 2, 3, 4], weights=[75, 13, 8, 4])[0]
            role = "主办" if size > 1 else None
            group = {"year": year, "kind": kind, "pid": pid, "left": size - 1, "joint": 0} if size > 1 else None
        seq = counters.setdefault((year, abbr), 0) + 1
        counters[(year, abbr)] = seq
        doc = f"常{abbr}复〔{year}〕第{seq}号"
        topic = rng.choice(TOPICS)
        proposers = ["".join([rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(GIVEN)][: rng.choice([2, 3, 3])])
                     for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        if joint:
            topic, proposers = group["topic"], group["proposers"]
        elif group is not None:
            group["topic"], group["proposers"] = topic, proposers
        date = f"{year}-{rng.randint(5, 9):02d}-{rng.randint(1, 28):02d}"
        title = f"关于对{session}{kind}第{pid}号的{'会办意见' if joint else '答复'}"
        text = body(rng, bank, topic, a.numeric_tables)
        slug = f"{'ta' if kind == '提案' else 'jy'}-{pid}-{seq:03d}"
        if joint:
            # Its own file: a joint reply's department may have reached the
            # same count as the lead's, and the name would be the lead's.
            slug += f"-h{group['joint']}"
        meta = [
            ("title", q(title)), ("doc_number", q(doc)), ("session", q(session)),
            ("proposal_id", q(pid)), ("kind", q(kind)),
            ("proposal_title", q(f"关于{topic}的建议")),
            ("proposers", "[" + ", ".join(q(p) for p in proposers) + "]"),
            ("department", q(CITY + dept)), ("date", date),
        ] + ([("role", q(role))] if role else []) + [
            ("signer", q(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))),
            ("handler", q(rng.choice(SURNAMES) + rng.choice(GIVEN))),
            ("phone", q(f"8{rng.randint(1000000, 9999999)}")),
            ("cc", "[" + ", ".join(q(c) for c in rng.sample(CC, 2)) + "]"),
            ("result", q(rng.choice("AAABBC"))),
            ("keywords", "[" + ", ".join(q(t) for t in sorted({topic, rng.choice(TOPICS)})) + "]"),
        ]
        d = os.path.join(root, str(year))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, slug + ".md"), "w", encoding="utf-8") as f:
            if a.format == "dafu":
                f.write("---\n" + "".join(f"{k}: {v}\n" for k, v in meta) + "---\n\n" + text)
            elif a.format == "hugo":
                m = dict(meta)
                f.write("---\n" + "".join(f"{k}: {m[k]}\n" for k in ("title", "date"))
                        + f"years: [{q(str(year))}]\ndepartments: [{m['department']}]\nsessions: [{m['session']}]\n"
                        + "".join(f"{k}: {v}\n" for k, v in meta if k not in ("title", "date"))
                        + "---\n\n" + text)
            else:
                m = dict(meta)
                f.write("---\n" + "".join(f"{k}: {m[k]}\n" for k in ("title", "date"))
                        + f"taxonomies:\n  years: [{q(str(year))}]\n  departments: [{m['department']}]\n  sessions: [{m['session']}]\n"
                        + "extra:\n" + "".join(f"  {k}: {v}\n" for k, v in meta if k not in ("title", "date"))
                        + "---\n\n" + text)
        if a.format == "zola" and not os.path.exists(os.path.join(d, "_index.md")):
            with open(os.path.join(d, "_index.md"), "w", encoding="utf-8") as f:
                f.write(f'+++\ntitle = "{year}"\nsort_by = "date"\npaginate_by = 20\n+++\n')


if __name__ == "__main__":
    main()
