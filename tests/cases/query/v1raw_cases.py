"""Raw SELECT expressions (types, casts, operators, math calls, aliases, WHERE) as influxd 1.6.7
answers them (issue 20). Recorded by v1time_record.py (``python tests/cases/query/v1time_record.py
BASE v1raw``) into v1raw.json; read by tests/query/test_v1raw.py.

The statements are those a random differential (seeds 1001-1003, 150 statements each) found
answered otherwise before influxd's own order was followed: each field reduced by influxql's
Reduce with the MathValuer first (a math call on literals evaluated, ``-x`` printed ``-1 * x``,
a field left a literal refused), a math call on a string or boolean literal a nil that influxd
panics on (``[panic:unreachable]``, statement_id -1), then validateTypes over the names as
RewriteFields types them (``f::tag`` of a field is a tag, ``t::field`` of a tag unknown).
"""
from __future__ import annotations

DB = "v1raw"


def lines() -> list[str]:
    """One measurement, three series of ``t`` (``u`` on some points): a float, an integer, a string,
    a boolean and a second float field, each missing on some points."""
    return ['m,t=a,u=x f=1.5,g=2i,s="x",b=true,h=-2.25 1000000000',
            'm,t=b f=-3,g=-4i,s="yy",b=false 2000000000',
            'm,t=a,u=y f=0,g=0i,s="",h=7 3000000000',
            'm,t=b,u=x f=2.5e3,g=7i,b=true 4000000000',
            'm,t=a f=0.25,g=9223372036854775807i,s="10",h=0 5000000000',
            'm,t=c,u=z g=-1i,s="a b" 6000000000',
            'm,t=a,u=x f=100,h=-0.5 7000000000']


QUERIES = [
    "SELECT -f::tag FROM m WHERE s !~ /./",
    "SELECT (t::field & 0.0 * false) FROM m GROUP BY t",
    "SELECT ceil(h::tag % f) FROM m",
    "SELECT pow(g::tag + 3, 'a b') * f::boolean - false + log2(h), atan('10' ^ g % f) FROM m",
    "SELECT exp(-1) * f::float ^ f, ln((time)) FROM m",
    "SELECT log(f, floor(h::tag) ^ time::integer - 100), u::string + g, g::tag % g::field, s FROM m WHERE s::boolean <= false GROUP BY t",
    "SELECT (-1) % h::integer / 100 * 'x', ceil(abs(f::tag | f)) FROM m",
    "SELECT log2(10) / atan2(-nosuch, h * h::tag) FROM m",
    "SELECT exp(g) AS a0, 'x' + t::string ^ h / f / f | g::float % 2 AS a1, tan(10) FROM m",
    "SELECT h, g::boolean & 0 FROM m",
    "SELECT h::float + f::boolean & floor(f) - (g & 10) FROM m GROUP BY t",
    "SELECT (tan('') ^ nosuch % false), f FROM m",
    "SELECT u::tag, (pow('a b', 1.5)) % u::field FROM m WHERE sqrt(f) = false",
    "SELECT (-h) - time - g, g * atan2(g, f::integer) + floor(g::tag) FROM m WHERE tan(g) <= ''",
    "SELECT f::float + f::tag ^ g::string + (pow(3.75, f::field)), -h * t, (f::tag % f) FROM m WHERE -2.0 = 1",
    "SELECT ('a b') * t ^ g::field & -3 AS a0, ceil('x') % h::string & 2 FROM m",
    "SELECT pow(ceil((1.5)), -0.5), log(true, (h::boolean)) % 0 + g - g::string AS a1, h FROM m WHERE false >= true",
    "SELECT (f::boolean ^ sqrt(1.5)), h FROM m",
    "SELECT 2 / h, -g | -g, '' % f / pow(sin(''), f::integer ^ g) FROM m",
    "SELECT -f::float, (ceil(t::field)) - g * h::float ^ g::boolean FROM m WHERE time >= '1970-01-01T00:00:02Z'",
    "SELECT atan(true & h::integer & g::integer) AS a0, f::boolean - (3 % nosuch), f::float & (10 / t::field) FROM m WHERE s::integer < 0",
    "SELECT (floor(2) * f::string * -0.25), (h::integer - log(f, f::string)) FROM m GROUP BY t",
    "SELECT asin(t::field) * exp(h) + f::boolean, 1.5 % 3.75 - 2 + f::integer + h::tag AS a1, f FROM m",
    "SELECT 2 / acos(atan(3)) FROM m WHERE (s =~ /y+/)",
    "SELECT t::string + f::tag AS a0, atan2((g::field), 0.0) % log(f | g::field, 0), u FROM m GROUP BY t",
    "SELECT ((ln(false))), asin(10 - g % 2.0) FROM m WHERE u =~ /a/",
    "SELECT (log2('x')) AS a0 FROM m",
    "SELECT floor(f::boolean & -1 / (0.5)), g + 'x' ^ t | 'x' + abs(u) FROM m WHERE ceil(time) >= s::boolean",
    "SELECT ceil(g::field) - (f::string + time::integer) AS a0, (log('10', 10)) - t::field | g::tag * -10 AS a1, f FROM m WHERE g != s::string",
    "SELECT ((f::tag)), ln(log(g::integer, h::tag)) - true FROM m",
    "SELECT atan2(ceil(3.75), g) * false, (h::boolean * g::tag) - atan2(g - 0, h::float) FROM m",
    "SELECT asin(g::boolean ^ f::integer) / u FROM m",
    "SELECT atan2(pow(u, g::integer), g::boolean % g::boolean) % 2, h / false + f::float | -0.5 / (f::tag), sqrt(false) ^ (0) * pow(cos(f), 0.5 | g::float) FROM m WHERE s <= 100",
    "SELECT atan2((log(f::float, f::string)), -1 / h::field), 0.0 & f::tag FROM m",
    "SELECT pow(pow(0.5 & t, g::tag ^ 0.0), log(10, g::field)) AS a0, log((time::integer) ^ pow('', f::float), sin(false)), h FROM m WHERE 2.0 & 2 > 3",
    "SELECT time & f::string / nosuch + (f) ^ round(7) FROM m WHERE (((u >= b::float))) AND acos(f) >= f::integer GROUP BY t",
    "SELECT log(acos(u::field) + f ^ 3, g * t::tag & g::field % u::string), (f::float) FROM m WHERE 0.5 < 7",
    "SELECT f::boolean % f - atan2(f::string, t::tag) + -g::boolean, log(-3, false) / g::tag AS a1, s FROM m",
    "SELECT (exp(3) & acos(g::field)) AS a0 FROM m",
    "SELECT 10 % g & sin(g), f + u & pow(u::string, g::tag) * h::float - asin(f::integer), h::field FROM m WHERE time < 3s",
    "SELECT atan2(log(g, g::field) * abs(h::tag), log(0 * 0.0, atan2(t, f::tag))) AS a0, ((g)), (log2(0.0)) FROM m WHERE f < true AND time < '1970-01-01T00:00:02Z' AND ((g::boolean != true)) GROUP BY t",
    "SELECT g::float + f - log2(g::string) % sin(u::field) FROM m",
    "SELECT pow((100), 'a b' + '10' | h & f::boolean), h::string * g / g::float FROM m",
    "SELECT floor(g ^ ceil('10')) AS a0, -g & 'x', (-g) - log(f::boolean, h::string) + 0 - u FROM m",
    "SELECT 3.75 | u::field & g::integer % f::integer FROM m",
    "SELECT pow(f::boolean & f, log(f::float, g)) + h::integer, f::field - 2.0 * h::boolean - f FROM m",
    "SELECT t::tag, -g::tag AS a1, f FROM m",
    "SELECT abs(time), log10('a b') + 7 - g * ('a b') FROM m",
    "SELECT atan(g::field % f::tag | (f)) AS a0, g::float, (log2(false) ^ (f)) AS a2 FROM m WHERE b::float > 'x'",
    "SELECT u, f::integer & 1.5 % g::integer + 7 & -1 / g % g::boolean, t * t::field / g::tag + '10' FROM m",
    "SELECT log(ln(g) & sqrt(-1), log(f::boolean, f::tag) % atan2(time, f::float)) AS a0 FROM m",
    "SELECT sin((nosuch)) ^ -2 FROM m WHERE g::float > -1",
    "SELECT f::string % -2.0, nosuch, nosuch + -g ^ tan(true) FROM m WHERE g != f::string",
    "SELECT log(false - u::field, f) | atan2((g::integer), floor(-0.25)) FROM m",
    "SELECT ceil(log2(t::field ^ f)), round(false), -f, f FROM m",
    "SELECT h::integer ^ floor(1.5) FROM m WHERE h::field <> '10' AND 10 <> 7",
    "SELECT time::integer, 1.5 ^ log(exp('x'), g) FROM m WHERE s::float != 'x'",
    "SELECT 2 * g AS a0, asin(sin(true)) - g::float FROM m",
    "SELECT acos(10), h FROM m WHERE (u >= b)",
    "SELECT pow(g::integer, round(f::integer | 100)), g::float AS a1, f::float - 2.0 * 0.5 & -g AS a2 FROM m",
    "SELECT log10(7) - 2.0 AS a0, 0 & f / 'a b' + g::float % (g::field), tan(f::integer) FROM m",
    "SELECT -f % pow(g::float, pow(g, time)), u::field & f::field - g::integer - g::tag / 7 | time & f::string & h::string FROM m",
    "SELECT g & t::string, abs(floor(1 % 3)) FROM m GROUP BY t",
    "SELECT pow(f::field, h::string | g * ceil(10)), u, h FROM m",
    "SELECT pow(f::tag - (3.75), ceil(f)), (f::boolean + -0.25 | g::boolean + time::integer), pow((cos(h)), f::string) AS a2 FROM m",
    "SELECT g & g, log(f::string, f - true % -g), -h::float FROM m",
    "SELECT g::tag ^ t - log2(h) | sin((f::tag)), log10(0.0) FROM m",
    "SELECT f::field % f::field ^ f::field, log2(f::string & t::tag) - -f::boolean % (g::integer) AS a1, 0.5 / f::integer % false % floor('') AS a2 FROM m",
    "SELECT floor(('x')) % (round(true)) FROM m GROUP BY t",
    "SELECT pow((7), (u::string)) % sin(g::integer % f::tag) AS a0 FROM m WHERE ceil(g::tag) > 1",
    "SELECT log2(false), s FROM m WHERE s::float >= -0.25",
    "SELECT round(f::tag) + h::field ^ f + f - f, log(time::integer % t::tag, g - 10) % -2 AS a1 FROM m WHERE time >= '1970-01-01T00:00:02Z'",
    "SELECT exp(1.5), (g::float), f FROM m",
    "SELECT time & log(1.5, g::string * g::tag), f::float FROM m WHERE 0.0 < s GROUP BY t",
    "SELECT exp(atan2(f | 0.5, tan('x'))) AS a0 FROM m",
]
