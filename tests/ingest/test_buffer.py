"""The write buffer: small chunks are joined without changing what queries see."""



def test_small_chunks_are_joined_and_the_last_write_still_wins():
    import tsdb_core
    from tsdb_core.storage import buffer

    s = tsdb_core.open(None)
    s.create_database("db")
    n = buffer.COALESCE_CHUNKS * 5 + 3
    for i in range(n):  # one point per write, each series rewritten at time 0 with a new value
        s.write("db", f"m,host=h{i % 3} v={i},w={i}i {(i // 3) * 10**9}\nm,host=h{i % 3} v={i} 0")
    parts = s._engine.state.buffer.chunks(("db", "autogen", "m"))
    assert len(parts) < buffer.COALESCE_CHUNKS
    assert sum(c.frame.height for c in parts) == 2 * n
    res = s.query("SELECT last(v), count(w) FROM m GROUP BY host", db="db").to_json()
    rows = {se["tags"]["host"]: se["values"][0][1:] for se in res["results"][0]["series"]}
    last = {f"h{h}": max(i for i in range(n) if i % 3 == h) for h in range(3)}
    assert rows == {h: [float(last[h]), sum(1 for i in range(n) if f"h{i % 3}" == h)] for h in last}
    at0 = s.query("SELECT v FROM m WHERE time = 0 GROUP BY host", db="db").to_json()
    assert {se["tags"]["host"]: se["values"][0][1] for se in at0["results"][0]["series"]} == \
        {h: float(v) for h, v in last.items()}  # the rewritten point holds the latest value
