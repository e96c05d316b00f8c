# Prints the SQL statement each SQLite thread of a running Kring is executing (the cockpit's
# slow queries, found by sampling): gdb -p "$(pgrep -f 'kring serve')" -batch -x bench/running-sql.gdb
set pagination off
python
for thread in gdb.selected_inferior().threads():
    thread.switch()
    frame = gdb.newest_frame()
    while frame:
        try:
            name = frame.name()
        except Exception:
            name = None
        if name == 'sqlite3Step':
            frame.select()
            try:
                print("SQL:", gdb.parse_and_eval('p->zSql').string()[:400])
            except Exception as error:
                print("(no statement:", error, ")")
            break
        frame = frame.older()
end
