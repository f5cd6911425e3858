"""Demo data: the network, accounts, companies, needs, visits and a SIRENE stock, loaded by
`make run` on the first run and by the benchmarks. Uses the services like a real user would.
"""
