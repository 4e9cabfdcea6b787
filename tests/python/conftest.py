import os

import pytest

DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))


@pytest.fixture(scope="session")
def data_dir():
    return DATA


@pytest.fixture(scope="session")
def master(data_dir):
    import crmkit
    return crmkit.read_transactions(os.path.join(data_dir, "CDNOW_master.txt"), customer_col="customer_id",
                                    date_col="date", amount_col="dollar_value")


@pytest.fixture(scope="session")
def master_df(data_dir):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(os.path.join(data_dir, "CDNOW_master.txt"), sep=r"\s+", dtype={"customer_id": str})
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df
