def pytest_configure(config):
    # Registered here so that `pytest -m "not edge"` deselects these tests on a machine
    # without Varnish, and --strict-markers stays happy.
    config.addinivalue_line(
        "markers", "edge: runs Varnish with deploy/varnish/default.vcl in front of the site"
    )
