"""The Forecast page's downloads under AppTest: each file is made when its button is pressed
(st.download_button with a callable), and what it makes is the run's: the predictions of every
part in the data's units, the model that opens again with the same weights, and a script that
compiles."""

import io

import numpy as np
import pandas as pd
import torch

from rnnviz import tasks


def test_forecast_downloads_are_made_on_press_and_hold_the_runs_model(
    app_page, train_on_page, downloads
):
    at = app_page("app_pages/forecast.py")
    at.number_input(key="fc_window").set_value(5)
    at.number_input(key="fc_epochs").set_value(3)
    at.select_slider(key="fc_hidden_size").set_value(4)
    at.run()
    run = train_on_page(at, "fc", "forecast")
    assert run.job.status == "done", run.job.message
    assert {"predictions.csv", "rnnviz-forecast.safetensors", "rnnviz_forecast.py"} <= set(
        downloads
    )
    ds, model = run.dataset, run.current_model()

    # 1. predictions: one row per window of train, validation and test, in that order; the
    # model's column is its forward pass brought back to the data's units
    csv = pd.read_csv(io.BytesIO(downloads["predictions.csv"]()))
    parts = [p for p in ("train", "val", "test") if len(ds.actual[ds.parts[p]])]
    assert list(csv["part"].unique()) == parts
    assert len(csv) == sum(len(ds.actual[ds.parts[p]]) for p in parts)
    test = csv[csv["part"] == "test"]
    index = np.arange(len(ds.actual))[ds.parts["test"]]
    with torch.no_grad():
        scaled = model(ds.x[index]).numpy()
    np.testing.assert_allclose(
        test["predicted"].to_numpy(), ds.inverse(scaled, index), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(test["actual"].to_numpy(), ds.actual[index], rtol=1e-6)

    # 2. the model opens again on the same data with the same weights
    opened, _, saved = tasks.restore_forecast(downloads["rnnviz-forecast.safetensors"](), run.table)
    assert saved["window"] == 5
    for name, tensor in model.state_dict().items():
        torch.testing.assert_close(opened.state_dict()[name], tensor, rtol=0, atol=0)

    # 3. the script is Python that trains this run's settings
    script = downloads["rnnviz_forecast.py"]().decode("utf-8")
    compile(script, "rnnviz_forecast.py", "exec")
    assert "seattle-weather.csv" in script
