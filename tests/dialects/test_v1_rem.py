"""``%`` in the influxdb1 dialect is Go's: ``math.Mod`` on floats (exact at any magnitude: the
quotient is never cast to an integer, so ``1e30 % 2`` is no error) and Go's truncated ``%`` on
integers (``MinInt64 % -1`` is 0; ``x % 0`` is 0); a float ``x % 0`` or ``+Inf % 2`` (NaN) is null.

Every influxdb1 answer below was given by influxd 1.6.7 (Debian package, /query, JSON), asked on
2026-12-07 over the lines of ``LINES``; the influxdb3 answers are arrow's rem (test_v3_float_rem.py).
"""
from __future__ import annotations

import pytest

from .both_dialects import NAN, answer, store_in_both_dialects

LINES = "\n".join([
    "m f=1e30 1000000000", "m f=-7.5 2000000000", "m f=7.5 3000000000", "m f=-1e30 4000000000",
    "m f=1e300 5000000000", "m f=0 6000000000", "m f=-0.5 7000000000",
    "n i=-9223372036854775808i 1000000000", "n i=-9223372036854775807i 2000000000",
    "n i=9223372036854775807i 3000000000",
])
F11 = "f*f*f*f*f*f*f*f*f*f*f"  # +Inf for 1e30 and 1e300, -Inf for -1e30

store = store_in_both_dialects(LINES)




def column(values):
    return [[v] for v in values]


# influxd 1.6.7: {"columns":["time","f","f_1","f_2","f_3","f_4"],"values":[
#   ["1970-01-01T00:00:01Z",0,1,null,0.5933105148225561,105553116266496],
#   ["1970-01-01T00:00:02Z",-1.5,-1.5,null,-0.5000000000000004,-7.5], [..03Z",1.5,1.5,null,0.5000000000000004,7.5],
#   ["..04Z",-0,-1,null,-0.5933105148225561,-105553116266496], ["..05Z",0,0,null,0.3790560774266656,4.588753672578814e+28],
#   ["..06Z",0,0,null,0,0], ["..07Z",-0.5,-0.5,null,-0.5,-0.5]]}
FLOATS_V1 = [[0.0, 1.0, None, 0.5933105148225561, 105553116266496.0],
             [-1.5, -1.5, None, -0.5000000000000004, -7.5], [1.5, 1.5, None, 0.5000000000000004, 7.5],
             [-0.0, -1.0, None, -0.5933105148225561, -105553116266496.0],
             [0.0, 0.0, None, 0.3790560774266656, 4.588753672578814e+28], [0.0, 0.0, None, 0.0, 0.0],
             [-0.5, -0.5, None, -0.5, -0.5]]
FLOATS_V3 = [r[:2] + [NAN] + r[3:] for r in FLOATS_V1]  # the same fmod, NaN by 0


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT f % 2, f % -3, f % 0, f % 0.7, f % 100000000000000000000000000000.0 FROM m",
     FLOATS_V3, FLOATS_V1),
    # influxd: {"columns":["time","f_f_f_f_f_f_f_f_f_f_f","f_f_f_f_f_f_f_f_f_f_f_f","f_f_f_f_f_f_f_f_f_f_f_1"],
    #   "values":[["..01Z",null,1e+30,null],["..02Z",-1.21044921875,-7.5,null],["..03Z",1.21044921875,7.5,null],
    #   ["..04Z",null,-1e+30,null],["..05Z",null,1e+300,null],["..06Z",0,null,null],["..07Z",-0.00048828125,-0,null]]}
    (f"SELECT ({F11}) % 2, f % ({F11}), ({F11}) % 0 FROM m",
     [[NAN, 1e30, NAN], [-1.21044921875, -7.5, NAN], [1.21044921875, 7.5, NAN], [NAN, -1e30, NAN],
      [NAN, 1e300, NAN], [0.0, NAN, NAN], [-0.00048828125, -0.0, NAN]],
     [[None, 1e30, None], [-1.21044921875, -7.5, None], [1.21044921875, 7.5, None], [None, -1e30, None],
      [None, 1e300, None], [0.0, None, None], [-0.00048828125, -0.0, None]]),
    # influxd: {"columns":["time","i","i_1","i_2","i_3","i_4","i_5"],"values":[["..01Z",0,0,-2,-8,-1,0],
    #   ["..02Z",0,-1,-1,-7,0,0],["..03Z",0,1,1,7,0,0]]}
    ("SELECT i % -1, i % 2, i % -3, i % 10, i % 9223372036854775807, i % 0 FROM n WHERE i > -9223372036854775808",
     "datafusion error: Arrow error: Divide by zero error", [[0, -1, -1, -7, 0, 0], [0, 1, 1, 7, 0, 0]]),
    ("SELECT i % -1, i % 2, i % -3, i % 10, i % 9223372036854775807, i % 0 FROM n",
     "datafusion error: Arrow error: Divide by zero error",
     [[0, 0, -2, -8, -1, 0], [0, -1, -1, -7, 0, 0], [0, 1, 1, 7, 0, 0]]),
    # influxd: i % 2.5 for 9223372036854775807i is 0.5 (2^63 fmod 2.5, exact), i % 1e30 is the value itself
    ("SELECT i % 2.5, i % 1000000000000000000000000000000.0 FROM n WHERE i > 0",
     [[0.5, 9.223372036854776e18]], [[0.5, 9.223372036854776e18]]),
])
def test_remainder(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)
