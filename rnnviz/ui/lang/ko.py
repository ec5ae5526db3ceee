"""Korean (한국어): every English UI string -> its Korean text. Keep the {placeholders} as they are."""

STRINGS = {
    # shell, sidebar, live training, share links
    "Home": "홈",
    "Forecast": "시계열 예측",
    "Next letter": "다음 글자",
    "Step through": "한 단계씩",
    "Digits": "손글씨 숫자",
    "Seq2seq": "Seq2seq",
    "Compare": "비교",
    "Device": "장치",
    "Something went wrong; nothing was lost.": "문제가 생겼습니다. 잃은 것은 없습니다.",
    "Type at least one letter to start from.": "시작할 글자를 하나 이상 입력하세요.",
    "Seed": "시드",
    "auto uses a CUDA GPU or Apple MPS when there is one, else the CPU.": "auto는 CUDA GPU나 Apple MPS가 있으면 그것을, 없으면 CPU를 씁니다.",
    "The same seed gives the same starting weights and the same training on the CPU.": "같은 시드는 같은 초기 가중치를 만들고, CPU에서는 학습 과정도 똑같이 재현됩니다.",
    "Train": "학습",
    "Stop": "중지",
    "Reset": "초기화",
    "Forget the trained model and its curves.": "학습한 모델과 곡선을 지웁니다.",
    "This view could not be computed on this server: {problem}": "이 서버에서 이 보기를 계산하지 못했습니다: {problem}",
    "The server is busy: {ahead} run(s) ahead of you. Training starts by itself when a place frees up.": "서버가 바쁩니다: 앞에 {ahead}개의 학습이 먼저 진행됩니다. 자리가 나면 학습이 저절로 시작됩니다.",
    "Training on {page}: epoch {done}/{total}": "{page}에서 학습 중: 에폭 {done}/{total}",
    "Waiting on {page}: {ahead} run(s) ahead": "{page}에서 대기 중: 앞에 {ahead}개의 학습",
    " · about {eta} s left": " · 약 {eta}초 남음",
    " · status: {status}": " · 상태: {status}",
    "Epoch {done}/{total}": "에폭 {done}/{total}",
    "This link's {names} did not fit this page (a value out of range or not offered), so the default is used.": "이 링크의 {names} 값은 이 페이지에 맞지 않아(범위를 벗어났거나 없는 선택지) 기본값을 씁니다.",
    "{name} = {kept} does not fit this data, so {used} is used.": "{name} = {kept} 값은 이 데이터에 맞지 않아 {used} 값을 씁니다.",
    "Window {window} does not fit this file's {rows} rows (with this horizon and split), so {fit} is used.": "윈도 {window}은(는) 이 파일의 {rows}행에 맞지 않아(지금의 예측 거리와 분할로) {fit}을(를) 씁니다.",
    "Share these settings": "이 설정 공유하기",
    "Copy this link (the button at its right): it opens this page with these settings. A teacher can add "
    "&hide=optimizer,lr (any setting's name) to hide controls from students. An uploaded file is not in the link: "
    "whoever opens it uploads the file again.": "이 링크를 복사하세요(오른쪽 버튼). 링크를 열면 이 페이지가 지금 설정으로 열립니다. 교사는 &hide=optimizer,lr"
    "(설정 이름 아무거나)을 붙여 학생에게 그 설정을 숨길 수 있습니다. 업로드한 파일은 링크에 들어가지 않으니, "
    "링크를 연 사람이 파일을 다시 올려야 합니다.",
    # home
    "rnnviz: watch a recurrent network learn": "rnnviz: 순환 신경망이 배우는 모습 보기",
    "Train small RNN, LSTM and GRU models live, on your own CSV or on the bundled samples, and look inside while "
    "they learn: the hidden state step by step, every gate, the loss curves, and the forecast beside the naive "
    "'next = last' baseline.": "작은 RNN, LSTM, GRU 모델을 내 CSV나 함께 들어 있는 예제로 바로 학습시키고, 배우는 동안 안을 들여다보세요: "
    "단계별 은닉 상태, 모든 게이트, 손실 곡선, 그리고 단순한 '다음 = 마지막' 기준선과 나란히 놓인 예측.",
    "Upload a CSV (or use the bundled Seattle weather) and train a model to predict the next value of a column. "
    "Watch the loss fall, compare the forecast with the persistence baseline in the data's own units, and see the "
    "hidden state move through the series.": "CSV를 올리거나(또는 함께 있는 시애틀 날씨를 쓰거나) 한 열의 다음 값을 예측하는 모델을 학습시키세요. 손실이 "
    "줄어드는 것을 보고, 데이터 자체의 단위로 예측을 지속성 기준선과 비교하고, 은닉 상태가 시계열을 따라 움직이는 "
    "모습을 보세요.",
    "Type a few words (any language) and train a character-level RNN to guess each word's last letter, or every "
    "next letter. See the one-hot tensor, count the parameters, watch the softmax after each letter and let the "
    "model write.": "단어 몇 개를 입력하고(어떤 언어든) 글자 단위 RNN이 각 단어의 마지막 글자, 또는 매번 다음 글자를 맞히도록 "
    "학습시키세요. 원-핫 텐서를 보고, 파라미터 수를 세고, 글자마다의 소프트맥스를 보고, 모델이 글을 쓰게 해 보세요.",
    "One RNN, LSTM or GRU cell with numbers you can edit, or the weights of a model trained on another page. Each "
    "step's equations are shown twice: with symbols, then with the real numbers, down to the result.": "숫자를 직접 고칠 수 있는 RNN, LSTM, GRU 셀 하나, 또는 다른 페이지에서 학습한 모델의 가중치. 각 단계의 식을 "
    "두 번 보여 줍니다: 기호로, 그리고 실제 숫자를 넣어 결과까지.",
    "Handwritten digits read one row of pixels per time step (or your own images-as-rows CSV). Watch the accuracy "
    "climb, read the confusion matrix, and see how sure the model is after each row it has read.": "손글씨 숫자를 시간 단계마다 픽셀 한 줄씩 읽습니다(또는 이미지를 행으로 담은 내 CSV). 정확도가 오르는 것을 "
    "보고, 혼동 행렬을 읽고, 한 줄씩 읽을 때마다 모델이 얼마나 확신하는지 보세요.",
    "Type source -> target pairs (English to Korean, reversed words, dates) and train an encoder-decoder. See the "
    "encoder's states, the context vector, and each decoder step with and without teacher forcing.": "원문 -> 목표 쌍(영어에서 한국어, 뒤집은 단어, 날짜)을 입력하고 인코더-디코더를 학습시키세요. 인코더의 상태, "
    "문맥 벡터, 그리고 교사 강요가 있을 때와 없을 때의 디코더 단계를 보세요.",
    "RNN, LSTM and GRU on one task with the same seed and budget, side by side; and the vanishing gradient: how "
    "much of the loss reaches a step N positions back.": "같은 과제, 같은 시드와 예산으로 RNN, LSTM, GRU를 나란히; 그리고 기울기 소실: 손실이 N단계 앞까지 얼마나 "
    "전해지는지.",
    "Open {page}": "{page} 열기",
    "For teachers: ready-made lessons (links with settings, some controls hidden)": "교사용: 준비된 수업(설정이 담긴 링크, 일부 설정은 숨김)",
    "Each link opens a page with its settings filled in and the controls that would distract hidden (the link's "
    "hide=... part). Every page has a 'Share these settings' box that makes such a link from what is on screen; "
    "add &hide= and the names of the settings to hide. The list is assets/presets/presets.csv.": "각 링크는 설정이 채워진 페이지를 열고, 방해가 될 설정은 숨깁니다(링크의 hide=... 부분). 모든 페이지에는 "
    "화면의 설정으로 이런 링크를 만드는 '이 설정 공유하기' 상자가 있습니다. 숨길 설정 이름을 &hide= 뒤에 "
    "붙이세요. 목록은 assets/presets/presets.csv에 있습니다.",
    "A file you upload is held in this server's memory for your session only: it is never written to disk, no other "
    "user can see it, and it is dropped a couple of minutes after you close the tab.": "올린 파일은 이 세션 동안만 서버의 메모리에 보관됩니다. 디스크에 저장되지 않고, 다른 사용자는 볼 수 없으며, "
    "탭을 닫으면 몇 분 안에 지워집니다.",
    # shared controls
    "Cell": "셀",
    "Hidden units": "은닉 유닛 수",
    "Layers": "층 수",
    "Optimizer": "옵티마이저",
    "Learning rate": "학습률",
    "Batch size": "배치 크기",
    "Epochs": "에폭",
    "Embedding size": "임베딩 크기",
    "probability": "확률",
    "validation accuracy": "검증 정확도",
    "accuracy": "정확도",
    "Gates, layer {layer}": "게이트, {layer}층",
    # forecast
    "📈 Forecast": "📈 시계열 예측",
    "Would an RNN with a window of history beat 'tomorrow = today' on this series? Train one and see, in the "
    "data's own units.": "과거 구간(윈도)을 보는 RNN이 이 시계열에서 '내일 = 오늘'을 이길까요? 학습시켜서 데이터 자체의 단위로 "
    "확인해 보세요.",
    "Data": "데이터",
    "The data": "데이터 그래프",
    "Seattle weather, daily 2012-2015 (NOAA)": "시애틀 날씨, 일별 2012-2015 (NOAA)",
    "US employment, monthly 2006-2015 (BLS)": "미국 고용, 월별 2006-2015 (BLS)",
    "Upload a CSV": "CSV 올리기",
    "Fill missing values forward (from the row above)": "빈 값을 위 행의 값으로 채우기",
    "CSV file (comma, semicolon or tab separated; UTF-8 or Korean Excel)": "CSV 파일(쉼표, 세미콜론, 탭 구분; UTF-8 또는 한글 엑셀)",
    "Choose a CSV file with one row per time step, or pick a sample above.": "시간 단계마다 한 행인 CSV 파일을 고르거나, 위에서 예제를 고르세요.",
    "Some columns cannot be used as numbers yet:": "아직 숫자로 쓸 수 없는 열이 있습니다:",
    "Preview: {rows} rows x {columns} columns": "미리보기: {rows}행 x {columns}열",
    "No column of this file holds numbers that can be used. Check the file's separator and that the values are "
    "numbers.": "이 파일에는 쓸 수 있는 숫자 열이 없습니다. 파일의 구분 기호와 값이 숫자인지 확인하세요.",
    "**Data**": "**데이터**",
    "**Model**": "**모델**",
    "**Training**": "**학습**",
    "Target (the column to forecast)": "목표(예측할 열)",
    "Input columns": "입력 열",
    "Window (steps of history)": "윈도(과거 단계 수)",
    "Horizon (rows ahead)": "예측 거리(몇 행 뒤)",
    "Training part %": "학습 구간 %",
    "Validation part %": "검증 구간 %",
    "Scaling (fit on the training part only)": "스케일링(학습 구간에만 맞춤)",
    "minmax maps the training part to 0..1; standard to mean 0, sd 1, which leaves more room for values beyond "
    "the training part's range.": "minmax는 학습 구간을 0..1로, standard는 평균 0, 표준편차 1로 옮깁니다. standard는 학습 구간의 범위를 "
    "벗어난 값에 여유가 더 있습니다.",
    "Predict the change (differencing)": "변화량 예측(차분)",
    "The model reads each input's step changes and learns the change from the window's last value; the plots "
    "and metrics add it back to that value. It can follow a trend beyond the training part's range.": "모델이 각 입력의 한 단계 변화량을 읽고 윈도의 마지막 값에서의 변화량을 배우며, 그래프와 지표는 그 값에 "
    "변화량을 다시 더합니다. 학습 구간의 범위를 넘어서는 추세도 따라갈 수 있습니다.",
    "Season for the baselines (rows per cycle; 0 = find it)": "기준 모델의 계절 주기(한 주기의 행 수, 0 = 자동으로 찾기)",
    "0 finds it from the dates (daily 7, monthly 12, quarterly 4) or from the training part's autocorrelation.": "0이면 날짜(일별 7, 월별 12, 분기별 4)나 학습 구간의 자기상관에서 찾습니다.",
    "**The baseline ladder** on the {part} part, best first, in the units of '{target}' (▶ marks your model)": "{part} 구간의 **기준 모델 사다리**, 좋은 순서, '{target}'의 단위 (▶ 표시가 여러분의 모델)",
    "Seasonal baselines: {season}.": "계절 기준 모델: {season}.",
    "Left out: {why}": "제외됨: {why}",
    "RNN nonlinearity": "RNN 비선형 함수",
    "Head": "출력층",
    "last: the last hidden state predicts (many-to-one). flatten: every step's hidden state goes into the head, "
    "as in the KOSPI tutorial.": "last: 마지막 은닉 상태로 예측(다대일). flatten: 모든 단계의 은닉 상태를 출력층에 넣음(KOSPI 튜토리얼처럼).",
    "Training and validation take every row: leave some for the test part.": "학습과 검증 구간이 모든 행을 차지합니다. 테스트 구간을 남겨 두세요.",
    "Press Train: the loss, the forecast against the baseline and the metrics appear here as it learns.": "학습을 누르세요: 학습하는 동안 손실, 기준선과 비교한 예측, 지표가 여기에 나타납니다.",
    "The settings above changed since this run; press Train to use them. The results below are from the run as "
    "it was started.": "이 학습 뒤로 위의 설정이 바뀌었습니다. 바뀐 설정을 쓰려면 학습을 누르세요. 아래 결과는 시작할 때의 설정으로 "
    "학습한 것입니다.",
    "Loss (scaled units, log axis)": "손실(스케일된 단위, 로그 축)",
    "While it trains, the forecast is redrawn every {s:g} s from the latest weights.": "학습하는 동안 예측은 최신 가중치로 {s:g}초마다 다시 그립니다.",
    "The loss curve appears after the first epoch.": "손실 곡선은 첫 에폭이 끝나면 나타납니다.",
    "'{target}' on validation + test, in its own units": "검증 + 테스트 구간의 '{target}', 원래 단위",
    "**Errors on the {part} part** ({rows} rows, in the units of '{target}'); baseline = tomorrow equals today": "**{part} 구간의 오차** ({rows}행, '{target}'의 단위); 기준선 = 내일은 오늘과 같음",
    "test": "테스트",
    "validation": "검증",
    "Inside the model": "모델 속",
    "Window (by the date it predicts)": "윈도(예측하는 날짜로)",
    "Pick which window of the series to look inside.": "들여다볼 시계열 구간을 고르세요.",
    "Actual ({date})": "실제 ({date})",
    "Model": "모델",
    "{error} error": "오차 {error}",
    "Baseline (next = last)": "기준선(다음 = 마지막)",
    "Step t inside the window": "윈도 안의 단계 t",
    "Hidden state h_t, layer {layer} (units x steps)": "은닉 상태 h_t, {layer}층(유닛 x 단계)",
    "Top layer at step t = {step}: one row per hidden unit": "단계 t = {step}의 맨 위층: 은닉 유닛마다 한 행",
    "The path shows one window in {stride}, {shown:,} of {total:,}, evenly spaced up to the last one, so that this "
    "view stays quick on a shared server.": "경로는 윈도 {stride}개마다 하나씩, {total:,}개 중 {shown:,}개를 마지막 윈도까지 고르게 골라 보여 줍니다. "
    "공유 서버에서 이 화면이 빠르게 유지되도록 하기 위해서입니다.",
    "Downloads": "내려받기",
    "Download predictions (CSV)": "예측 내려받기(CSV)",
    "Download the model (safetensors)": "모델 내려받기(safetensors)",
    "Open a saved model": "저장한 모델 열기",
    "Open a saved model (.safetensors from this page)": "저장한 모델 열기(이 페이지에서 받은 .safetensors)",
    "Choose the data the model was trained on first.": "먼저 모델을 학습시킨 데이터를 고르세요.",
    "The file is larger than this server's limit of {mb} MB.": "파일이 이 서버의 한도 {mb} MB보다 큽니다.",
    "Could not open that model: {problem}": "그 모델을 열 수 없습니다: {problem}",
    "Opened {name}: its forecasts and insides are shown below.": "{name}을(를) 열었습니다: 예측과 내부가 아래에 있습니다.",
    # forecast: five seeds, rolling origin, the exported script
    "One run": "한 번 학습",
    "Train 5 seeds (seed s to s+4): the spread": "시드 5개로 학습(시드 s부터 s+4까지): 흩어짐",
    "Rolling origin: k folds, each trained on everything before its origin": "롤링 오리진: k개 폴드, 각 폴드는 기준점 이전의 모든 것으로 학습",
    "Runs": "학습 방식",
    "5 seeds: five runs that differ only in their seed, side by side; the errors are given as mean ± standard "
    "deviation. Rolling origin: k successive test blocks over the test part, for short series where one split "
    "decides too much.": "시드 5개: 시드만 다른 다섯 번의 학습을 나란히 돌리고, 오차를 평균 ± 표준편차로 보여 줍니다. 롤링 오리진: "
    "테스트 구간을 k개의 연속된 블록으로 나눠 차례로 평가합니다. 분할 한 번이 결과를 너무 좌우하는 짧은 시계열에 씁니다.",
    "Folds (k)": "폴드 수(k)",
    "fold {number}": "폴드 {number}",
    "seed {seed}": "시드 {seed}",
    "run": "학습",
    "status": "상태",
    "epochs": "에폭",
    "train loss": "학습 손실",
    "validation loss": "검증 손실",
    "**Test RMSE of the model: {mean}{sd}** (mean ± sample standard deviation, ddof=1, over {n} of {count} seeds), "
    "in the units of '{target}'; persistence (tomorrow equals today): {baseline}.": "**모델의 테스트 RMSE: {mean}{sd}** (시드 {count}개 중 {n}개에 대한 평균 ± 표본 표준편차, ddof=1), "
    "'{target}'의 단위; 지속 예측(내일 = 오늘): {baseline}.",
    "Runs that were stopped or failed are left out: the spread is over the runs that ended.": "중지되었거나 실패한 학습은 빠집니다: 흩어짐은 끝까지 마친 학습들로 계산합니다.",
    "'{target}' (test part): mean, min..max over seeds": "'{target}'(테스트 구간): 시드들의 평균, 최소..최대",
    "model, min..max over seeds": "모델, 시드들의 최소..최대",
    "model, mean over seeds": "모델, 시드들의 평균",
    "model mean": "모델 평균",
    "model sd (ddof=1)": "모델 표준편차(ddof=1)",
    "lowest": "최소",
    "highest": "최대",
    "baseline": "기준선",
    "**Mean test RMSE over {k} folds: model {model}, persistence {baseline}**, in the units of '{target}'.": "**폴드 {k}개의 평균 테스트 RMSE: 모델 {model}, 지속 예측 {baseline}**, '{target}'의 단위.",
    "The mean over the folds appears when every fold has ended.": "모든 폴드가 끝나면 폴드 평균이 나타납니다.",
    "Each fold trains on every window before its origin (no validation part) and is tested on the next block; "
    "scaling is fit on that fold's training rows only.": "각 폴드는 기준점 이전의 모든 윈도로 학습하고(검증 구간 없음) 바로 다음 블록으로 평가합니다. 스케일링은 그 폴드의 "
    "학습 행에만 맞춥니다.",
    "{ended} of {count} runs ended · {done} of {total} epochs in all": "학습 {count}개 중 {ended}개 끝남 · 전체 에폭 {total}개 중 {done}개",
    "Some runs wait for a free worker: they start by themselves as others end.": "일부 학습은 빈 워커를 기다립니다: 다른 학습이 끝나면 저절로 시작됩니다.",
    "Loss of each run (solid: training, dotted: validation)": "학습별 손실(실선: 학습, 점선: 검증)",
    "A model opened from a file has no training settings to write a script from.": "파일에서 연 모델에는 스크립트를 만들 학습 설정이 없습니다.",
    "Download as a Python script": "파이썬 스크립트로 내려받기",
    "A standalone script (torch, pandas and numpy; no rnnviz) that trains this run again and prints the same test "
    "metrics. Run: python rnnviz_forecast.py {file}": "이 학습을 다시 하고 같은 테스트 지표를 출력하는 독립 스크립트입니다(torch, pandas, numpy; rnnviz 불필요). "
    "실행: python rnnviz_forecast.py {file}",
    "The ladder ranks the run whose RMSE is the median of the {count} (seed {seed}); a gap to the best baseline "
    "within the sd over seeds ({sd}) is called a tie.": "사다리는 RMSE가 {count}개 중 중앙값인 학습(시드 {seed})을 순위에 올립니다. 가장 좋은 기준선과의 차이가 시드 간 "
    "표준편차({sd}) 안이면 무승부로 봅니다.",
    "It trains seed {seed}; add --seed N for another.": "시드 {seed}로 학습합니다. 다른 시드는 `--seed N`을 붙이세요.",
    "This run ended early ({status}) and kept the weights of an earlier epoch; the script trains every epoch and "
    "prints the last one's metrics.": "이 학습은 일찍 끝나({status}) 앞선 에폭의 가중치를 남겼습니다. 스크립트는 모든 에폭을 학습하고 마지막 에폭의 지표를 "
    "출력합니다.",
    # next letter
    "🔤 Next letter": "🔤 다음 글자",
    "A recurrent network reads a word letter by letter and guesses what comes next.": "순환 신경망이 단어를 한 글자씩 읽고 다음에 올 글자를 맞힙니다.",
    "Words (separated by spaces; any language: try 사과 바나나 포도)": "단어(띄어쓰기로 구분; 어떤 언어든: 사과 바나나 포도 처럼)",
    "Predict": "예측",
    "the last letter (hell → o)": "마지막 글자 (hell → o)",
    "every next letter (hell → ello)": "매번 다음 글자 (hell → ello)",
    "Letters go in as": "글자 입력 방식",
    "From letters to numbers": "글자에서 숫자로",
    "Word": "단어",
    "**One-hot input of '{word}'** (a row per step, a column per letter)": "**'{word}'의 원-핫 입력** (단계마다 한 행, 글자마다 한 열)",
    "Input tensor shape **(words, steps, vocabulary) = {shape}**; target: ": "입력 텐서 모양 **(단어, 단계, 어휘) = {shape}**; 목표: ",
    "one letter per word": "단어마다 글자 하나",
    "the next letter at every step": "단계마다 다음 글자",
    "**{total} parameters** (torch counts {torch_count})": "**파라미터 {total}개** (torch 계산 {torch_count})",
    "torch keeps two bias vectors per gate, b_ih and b_hh. Keras's SimpleRNN and LSTM keep one, so those layers "
    "have (gates x hidden) more parameters in torch: for the classic hello example, torch 233, Keras 225. Keras's "
    "GRU (reset_after=True, its default) keeps two as well, so its count is torch's.": "torch는 게이트마다 편향 벡터를 두 개(b_ih, b_hh) 둡니다. Keras의 SimpleRNN과 LSTM은 하나를 두므로, 그 층들은 "
    "torch에서 (게이트 x 은닉) 개의 파라미터가 더 많습니다. 고전적인 hello 예제: torch 233, Keras 225. Keras의 GRU"
    "(reset_after=True, 기본값)도 두 개를 두므로 개수가 torch와 같습니다.",
    "Words of different lengths: padding and packing": "길이가 다른 단어: 패딩과 패킹",
    "Padded batch (· = padding) and the real lengths:": "패딩한 배치(· = 패딩)와 실제 길이:",
    "PackedSequence sorts the words longest first and, at each step, feeds only the words still running, so the "
    "padding is never read:": "PackedSequence는 단어를 긴 것부터 정렬하고, 각 단계에서 아직 끝나지 않은 단어만 넣으므로 패딩은 읽지 않습니다:",
    "Press Train: the loss, the accuracy and every word's guess appear here as it learns.": "학습을 누르세요: 학습하는 동안 손실, 정확도, 단어마다의 추측이 여기에 나타납니다.",
    "Loss and accuracy": "손실과 정확도",
    "**Every word** ({right}/{total} right)": "**모든 단어** ({right}/{total} 맞음)",
    "Step by step": "한 단계씩",
    "Word to follow": "따라갈 단어",
    "Step t (the letter just read)": "단계 t(방금 읽은 글자)",
    "Read so far: **{read}** (the letter at t is '{letter}')": "지금까지 읽음: **{read}** (t의 글자는 '{letter}')",
    "Softmax after '{letter}': the most likely next letters": "'{letter}' 다음의 소프트맥스: 가장 그럴듯한 다음 글자",
    "Hidden state h_t after '{letter}'": "'{letter}' 다음의 은닉 상태 h_t",
    "activation": "활성값",
    "Softmax over the vocabulary after each letter": "글자마다 어휘 전체에 대한 소프트맥스",
    "letter read": "읽은 글자",
    "next letter": "다음 글자",
    "Hidden state, layer {layer}": "은닉 상태, {layer}층",
    "One neuron across every word": "모든 단어에서 뉴런 하나",
    "Hidden unit (top layer)": "은닉 유닛(맨 위층)",
    "Unit {unit}'s activation after each letter (red +, blue -)": "글자마다 유닛 {unit}의 활성값(빨강 +, 파랑 -)",
    "Let it write": "글 쓰게 하기",
    "Start with": "시작 글자",
    "Letters to add": "덧붙일 글자 수",
    "Temperature": "온도",
    "Low: nearly always the most likely letter. High: more surprising choices.": "낮을수록: 거의 언제나 가장 그럴듯한 글자. 높을수록: 더 뜻밖의 선택.",
    "Choose each letter": "글자 고르는 법",
    "What it chose from": "무엇 가운데서 골랐나",
    "sampled (seeded)": "확률대로 뽑기(시드 고정)",
    "greedy (the most likely)": "가장 그럴듯한 글자(탐욕적)",
    "Each letter was drawn from softmax(logits / {temperature:g}): the 5 most likely, the one written in orange": "각 글자는 softmax(로짓 / {temperature:g})에서 뽑혔습니다: 가장 그럴듯한 5개, 쓴 글자는 주황색",
    "Each letter is the most likely one (orange) of the model's softmax: the 5 most likely": "각 글자는 모델 softmax에서 가장 그럴듯한 글자(주황색)입니다: 가장 그럴듯한 5개",
    # step through
    "🧮 Step through": "🧮 한 단계씩",
    "One cell, one step at a time: the equation, then the same equation with the real numbers in it.": "셀 하나를 한 단계씩: 식, 그리고 실제 숫자를 넣은 같은 식.",
    "Weights and inputs": "가중치와 입력",
    "Numbers I type": "내가 입력한 숫자",
    "The model trained on Forecast": "시계열 예측에서 학습한 모델",
    "The model trained on Next letter": "다음 글자에서 학습한 모델",
    "Inputs per step": "단계별 입력 수",
    "Steps": "단계 수",
    "Preset: 1 neuron, 2 time steps": "예제: 뉴런 1개, 2단계",
    "Random numbers": "무작위 숫자",
    "Edit any number; rows are stacked per gate in torch's order ({gates}), one row per hidden unit.": "어떤 숫자든 고칠 수 있습니다. 행은 torch의 순서({gates})로 게이트마다 쌓여 있고, 은닉 유닛마다 한 행입니다.",
    "**W_ih** (input weights)": "**W_ih** (입력 가중치)",
    "**W_hh** (recurrent weights)": "**W_hh** (순환 가중치)",
    "**Biases**": "**편향**",
    "**Inputs x_t** (a row per step)": "**입력 x_t** (단계마다 한 행)",
    "Every cell of the tables needs a number. Fill in the empty ones.": "표의 모든 칸에 숫자가 필요합니다. 빈 칸을 채우세요.",
    "Window": "윈도",
    "◀ previous": "◀ 이전",
    "next ▶": "다음 ▶",
    "Step t": "단계 t",
    "Hidden unit": "은닉 유닛",
    "Layer": "층",
    "**Step t = {step}** (input {label}), hidden unit {unit}": "**단계 t = {step}** (입력 {label}), 은닉 유닛 {unit}",
    ", layer {layer}": ", {layer}층",
    ". Before the first step h and c are 0.": ". 첫 단계 전에는 h와 c가 0입니다.",
    "The hidden state so far": "지금까지의 은닉 상태",
    "The cell state so far": "지금까지의 셀 상태",
    # digits
    "✍️ Digits": "✍️ 손글씨 숫자",
    "Images": "이미지",
    "8x8 handwritten digits (UCI / scikit-learn, 1,797 images)": "8x8 손글씨 숫자(UCI / scikit-learn, 1,797장)",
    "Upload images as rows (CSV)": "행마다 이미지 하나인 CSV 올리기",
    "CSV with one image per row: a label column and side x side pixel columns (64 for 8x8, 784 for a 28x28 "
    "MNIST export)": "행마다 이미지 하나인 CSV: 레이블 열 하나와 한 변 x 한 변 개의 픽셀 열(8x8이면 64개, 28x28 MNIST면 784개)",
    "Choose a CSV file, or pick the sample digits above.": "CSV 파일을 고르거나, 위에서 예제 숫자를 고르세요.",
    "Label column": "레이블 열",
    "**{n} images** of {rows}x{pixels} pixels, {classes} classes. Input tensor **(images, rows = steps, pixels = "
    "features) = ({count}, {rows}, {pixels})**.": "{rows}x{pixels} 픽셀 **이미지 {n}장**, 클래스 {classes}개. 입력 텐서 **(이미지, 줄 = 단계, 픽셀 = 특징) = "
    "({count}, {rows}, {pixels})**.",
    "Test part": "테스트 구간",
    "Images kept aside: never trained on, used for the confusion matrix.": "따로 둔 이미지: 학습에 쓰지 않고 혼동 행렬에 씁니다.",
    "Press Train: the loss and the validation accuracy appear here as it learns.": "학습을 누르세요: 학습하는 동안 손실과 검증 정확도가 여기에 나타납니다.",
    "Loss and validation accuracy": "손실과 검증 정확도",
    "Test accuracy: {accuracy} ({right} of {total} images never seen in training)": "테스트 정확도: {accuracy} (학습에서 본 적 없는 이미지 {total}장 중 {right}장)",
    "Confusion matrix on the test images": "테스트 이미지의 혼동 행렬",
    "One image, row by row": "이미지 하나, 한 줄씩",
    "Only the {count} images it gets wrong": "틀린 이미지 {count}장만",
    "Test image": "테스트 이미지",
    "#{index}: a {label}, model says {guess}": "#{index}: {label}, 모델은 {guess}",
    "Rows fed so far": "지금까지 넣은 줄",
    "After **{k} of {rows} rows** the model says **{guess}** with probability **{p}** (the answer is {answer}).": "**{rows}줄 중 {k}줄**을 읽은 뒤 모델은 확률 **{p}**로 **{guess}**라고 합니다(정답은 {answer}).",
    "The image: rows 1-{k} fed": "이미지: 1-{k}줄을 넣음",
    "Class probabilities after row {k}": "{k}번째 줄 뒤의 클래스 확률",
    "How sure it is after each row (probability of each class)": "줄마다 얼마나 확신하는지(클래스별 확률)",
    "rows fed": "넣은 줄",
    "class": "클래스",
    # seq2seq
    "🔁 Seq2seq": "🔁 Seq2seq",
    "An encoder reads the source; its last hidden state (the context) starts a decoder that writes the target "
    "token by token, from `<sos>` until it writes `<eos>`.": "인코더가 원문을 읽고, 그 마지막 은닉 상태(문맥)로 디코더를 시작합니다. 디코더는 `<sos>`부터 `<eos>`를 쓸 "
    "때까지 목표를 토큰 하나씩 씁니다.",
    "Example pairs": "예제 쌍",
    "English → Korean (words)": "영어 → 한국어(단어)",
    "Reverse the letters": "글자 뒤집기",
    "Dates: 2024-03-15 → 15 mar 2024": "날짜: 2024-03-15 → 15 mar 2024",
    "Pairs, one per line: source -> target": "쌍, 한 줄에 하나: 원문 -> 목표",
    "Tokens are": "토큰 단위",
    "words": "단어",
    "letters": "글자",
    "Teacher forcing ratio": "교사 강요 비율",
    "While training, the chance that a decoder step is fed the true previous token instead of its own guess. "
    "1 = always the truth, 0 = always its own guess.": "학습 중 디코더의 한 단계가 자기 추측 대신 실제 이전 토큰을 받을 확률. 1 = 언제나 정답, 0 = 언제나 자기 추측.",
    "**{pairs} pairs**, vocabulary of {vocab} tokens (with `<pad>`, `<sos>`, `<eos>`); source tensor {source}, "
    "target tensor {target}; **{params} parameters**.": "**쌍 {pairs}개**, 토큰 {vocab}개짜리 어휘(`<pad>`, `<sos>`, `<eos>` 포함); 원문 텐서 {source}, 목표 텐서 "
    "{target}; **파라미터 {params}개**.",
    "Press Train: the loss and every pair's translation appear here as it learns.": "학습을 누르세요: 학습하는 동안 손실과 모든 쌍의 번역이 여기에 나타납니다.",
    "Loss and token accuracy (training)": "손실과 토큰 정확도(학습)",
    "token accuracy": "토큰 정확도",
    "**Every pair, decoded greedily** ({exact}/{total} exact)": "**모든 쌍, 탐욕적 디코딩** ({exact}/{total} 정확)",
    "Inside one pair": "쌍 하나의 속",
    "Pair": "쌍",
    "Encoder: hidden state after each source token": "인코더: 원문 토큰마다의 은닉 상태",
    "source token read": "읽은 원문 토큰",
    "Context vector → decoder": "문맥 벡터 → 디코더",
    "The context is the encoder's state after the last source token (the boxed column): the whole source, "
    "squeezed into these numbers, is all the decoder gets.": "문맥은 마지막 원문 토큰 뒤의 인코더 상태입니다(상자 친 열): 원문 전체가 이 숫자들로 압축되어, 디코더가 받는 "
    "것은 이것뿐입니다.",
    "**Fed the truth** (teacher forcing: each step gets the correct previous token)": "**정답을 넣음** (교사 강요: 각 단계가 올바른 이전 토큰을 받음)",
    "**Fed its own guesses** (greedy decoding, as when it translates something new)": "**자기 추측을 넣음** (탐욕적 디코딩, 새 문장을 번역할 때처럼)",
    "Try your own source": "직접 원문 넣어 보기",
    "Source (only tokens from the pairs)": "원문(쌍에 나온 토큰만)",
    "(nothing: it wrote EOS first)": "(없음: 처음부터 EOS를 씀)",
    "Attention (dot-product)": "어텐션(내적)",
    "At every step the decoder also looks at all of the encoder's states, weighted by how well each matches its "
    "own state, instead of the context vector alone.": "디코더가 매 단계 문맥 벡터만이 아니라 인코더의 모든 상태를 함께 봅니다. 각 상태는 디코더 자신의 상태와 "
    "얼마나 잘 맞는지에 따라 가중됩니다.",
    "Attention: where each output token looked in the source": "어텐션: 출력 토큰마다 원문의 어디를 보았는지",
    "output token": "출력 토큰",
    "source token": "원문 토큰",
    # compare
    "⚖️ Compare RNN, LSTM and GRU": "⚖️ RNN, LSTM, GRU 비교",
    "The same task, data, seed and budget; each cell trains in its own job.": "같은 과제, 데이터, 시드, 예산; 셀마다 따로 학습합니다.",
    "Task": "과제",
    "Long memory: repeat the first letter after N distractors": "긴 기억: 방해 글자 N개 뒤에 첫 글자 다시 말하기",
    "Sample series: Seattle daily max temperature": "예제 시계열: 시애틀 일 최고 기온",
    "Typed words: the last letter": "입력한 단어: 마지막 글자",
    "N distractors": "방해 글자 수 N",
    "Steps between the letter to remember and the answer.": "기억할 글자와 답 사이의 단계 수.",
    "Words": "단어",
    "Epochs (the same budget for all three)": "에폭(셋 모두 같은 예산)",
    "Press Train: three models train side by side, their losses overlaid.": "학습을 누르세요: 세 모델이 나란히 학습하고 손실 곡선이 겹쳐 그려집니다.",
    "Loss of each cell (solid: training, dotted: validation)": "셀마다의 손실(실선: 학습, 점선: 검증)",
    "Vanishing gradients": "기울기 소실",
    "The long-memory task needs the capital letter it read at the answer. Training moves the weights by the "
    "gradient: how "
    "much the loss would change if the hidden state h_t at each step changed. Here is its size, averaged over 16 "
    "sequences, against how many steps h_t lies before the answer.": "긴 기억 과제는 답할 때 앞서 읽은 대문자가 필요합니다. 학습은 기울기만큼 가중치를 움직입니다: 각 단계의 은닉 상태 h_t가 "
    "바뀌면 손실이 얼마나 바뀌는지. 여기 그 크기를 16개 시퀀스로 평균 내어, h_t가 답보다 몇 단계 앞에 있는지에 "
    "따라 그렸습니다.",
    "N distractors for this chart": "이 그래프의 방해 글자 수 N",
    "+ LSTM, forget bias 1": "+ 망각 편향 1인 LSTM",
    "b_if + b_hf start at 1 instead of near 0, so the forget gate starts near sigmoid(1) = 0.73: the cell keeps "
    "more of its state from the start.": "b_if + b_hf가 0 근처 대신 1에서 시작하므로 망각 게이트가 sigmoid(1) = 0.73 근처에서 시작합니다: 셀이 처음부터 "
    "상태를 더 많이 간직합니다.",
    "Chance: the answer is one of {k} letters, so guessing gives {p:.0%} accuracy.": "우연: 답은 {k}개 글자 중 하나이므로 찍으면 정확도는 {p:.0%}입니다.",
    "Train all three on the long-memory task with N = {n} above to add their curves after training.": "학습 후 곡선을 더하려면 위에서 N = {n}인 긴 기억 과제로 세 셀을 학습시키세요.",
    "||dLoss/dh_t|| with N = {n} distractors (log scale)": "방해 글자 N = {n}일 때 ||dLoss/dh_t|| (로그 축)",
    "The gradient reaching the first letter, **{n} steps** before the answer, as a share of the gradient at the "
    "answer:": "답보다 **{n}단계** 앞인 첫 글자에 닿는 기울기, 답에서의 기울기에 대한 비율:",
    "A gradient that shrinks by the same factor at every step fades exponentially with distance; the first letter "
    "then barely moves the weights, and the cell cannot learn to keep it. An LSTM's or GRU's gates can hold the "
    "state (a forget gate near 1, an update gate near 0), so its gradient can survive the distance. Whether it does "
    "for these weights, the curves and the numbers above say.": "단계마다 같은 비율로 줄어드는 기울기는 거리에 따라 지수적으로 사라집니다. 그러면 첫 글자는 가중치를 거의 "
    "움직이지 못하고, 셀은 그것을 기억하도록 배울 수 없습니다. LSTM이나 GRU의 게이트는 상태를 붙잡아 둘 수 있어"
    "(망각 게이트가 1 근처, 업데이트 게이트가 0 근처) 기울기가 그 거리를 견딜 수 있습니다. 이 가중치에서 실제로 "
    "그런지는 위의 곡선과 숫자가 말해 줍니다.",
    # words inside figures and tables (rnnviz.plots, the views' frames): put into Korean by
    # rnnviz.ui.i18n.figure / frame, just before a page draws them
    "Loss": "손실",
    "loss": "손실",
    "epoch": "에폭",
    "{name} train": "{name} 학습",
    "{name} validation": "{name} 검증",
    "{name} before training": "{name} 학습 전",
    "{name} after training": "{name} 학습 후",
    "hidden unit": "은닉 유닛",
    "unit": "유닛",
    "unit {k}": "유닛 {k}",
    "step t": "단계 t",
    "step": "단계",
    "time": "시간",
    "start: {label}": "시작: {label}",
    "end: {label}": "끝: {label}",
    "chosen window": "고른 윈도",
    "Path of the hidden state (PCA)": "은닉 상태의 경로(PCA)",
    "actual": "실제값",
    "model": "모델",
    "predicted": "예측",
    "baseline (next = last)": "기준선(다음 = 마지막)",
    "Predicted vs actual": "예측과 실제",
    "Forecast over seeds": "시드별 예측",
    "Gates": "게이트",
    "input": "입력",
    "forget": "망각",
    "cell": "셀",
    "output": "출력",
    "update": "업데이트",
    "reset": "리셋",
    "new": "새 값",
    "c_t (cell state)": "c_t(셀 상태)",
    "other letters": "다른 글자",
    "rank {r}": "{r}순위",
    "What the model chose from": "모델이 고른 후보",
    "letter written (step: letter)": "쓴 글자(단계: 글자)",
    "row (time step)": "행(시간 단계)",
    "pixel (feature)": "픽셀(특성)",
    "true": "정답",
    "Confusion matrix": "혼동 행렬",
    "Loss, overlaid": "손실, 겹쳐 보기",
    "distance from the loss (steps back from the answer)": "손실로부터의 거리(답에서 거슬러 올라간 단계)",
    "context": "문맥",
    "target": "목표",
    "correct": "맞음",
    "letter": "글자",
    "count": "개수",
    "Keras would have": "Keras라면",
    "Keras formula": "Keras 공식",
    "parameters": "매개변수",
    "training time (s)": "학습 시간(초)",
    "source": "원문",
    "model says": "모델의 답",
    "exact": "정확히 일치",
    "yes": "예",
    "no": "아니오",
    "fed": "넣은 토큰",
    "truth": "정답",
    "top guesses": "상위 추측",
    "part": "부분",
    "how": "방법",
    "forecast": "예측",
    "rank": "순위",
    "formula": "공식",
    "persistence": "지속(내일 = 오늘)",
    "seasonal naive": "계절 단순 예측",
    "linear autoregression": "선형 자기회귀",
    "exponential smoothing": "지수 평활",
    "next = last: the window's last value": "다음 = 마지막: 윈도의 마지막 값",
    "the trained network": "학습한 신경망",
    "idle": "대기 전",
    "queued": "대기 중",
    "running": "학습 중",
    "done": "완료",
    "stopped": "중지됨",
    "diverged": "발산",
    "failed": "실패",
    "right": "맞음",
    "wrong": "틀림",
    "{cell} layer {layer}": "{cell} {layer}층",
    "head (Linear)": "출력층(Linear)",
    "least squares on the model's windows and inputs": "모델의 윈도와 입력에 대한 최소제곱",
    "least squares on the model's windows and inputs (fit on the last {n} training windows)": (
        "모델의 윈도와 입력에 대한 최소제곱(마지막 학습 윈도 {n}개에 맞춤)"
    ),
    "statsmodels ETS ({kind}), fit on the training part's last {rows} rows": (
        "statsmodels ETS({kind}), 학습 부분의 마지막 {rows}행에 맞춤"
    ),
    "statsmodels ETS ({kind}), fit on the training part's {rows} rows": (
        "statsmodels ETS({kind}), 학습 부분의 {rows}행에 맞춤"
    ),
    "{trend}, season {period}": "{trend}, 주기 {period}",
    "{trend}, no season": "{trend}, 주기 없음",
    "damped trend": "감쇠 추세",
    "no trend": "추세 없음",
    "the value one season earlier ({season})": "한 주기 전의 값({season})",
    "season of {period} rows, {how}": "{period}행 주기, {how}",
    "from the dates ({detail})": "날짜에서 찾음({detail})",
    "from the training part's autocorrelation ({detail})": "학습 부분의 자기상관에서 찾음({detail})",
    "set by you": "직접 정함",
    "no season": "주기 없음",
    "no season ({detail})": "주기 없음({detail})",
    "dates every {freq}": "{freq}마다의 날짜",
    "frequency {freq}": "빈도 {freq}",
    "{r} at lag {lag}": "시차 {lag}에서 {r}",
    "business days": "영업일",
    "daily": "일별",
    "weekly": "주별",
    "monthly": "월별",
    "quarterly": "분기별",
    "hourly": "시간별",
    # kept runs
    "run {number}": "실행 {number}",
    "{run}: train loss": "{run}: 학습 손실",
    "{run}: validation loss": "{run}: 검증 손실",
    "{run}: model": "{run}: 모델",
    "settings": "설정",
    "seed": "시드",
    "Kept runs ({count}): compare, overlay, restore, download": "보관한 실행 ({count}): 비교, 겹쳐 보기, 되돌리기, 내려받기",
    "**{run}**": "**{run}**",
    "Restore": "되돌리기",
    "Put this run's settings back into the widgets above.": "이 실행의 설정을 위 위젯에 되돌립니다.",
    "Download this run's model as it ended (safetensors).": "끝났을 때의 이 실행 모델을 내려받습니다 (safetensors).",
    "Delete": "삭제",
    "The settings of {run} are back in the widgets above; press Train to run them again.": "{run}의 설정을 위 위젯에 되돌렸습니다. 다시 실행하려면 학습을 누르세요.",
    "Download this run's weights, settings and vocabulary as it ended (safetensors). This page cannot open the "
    "file again; torch can (see the README).": "끝났을 때의 이 실행의 가중치, 설정, 어휘를 내려받습니다 "
    "(safetensors). 이 페이지는 파일을 다시 열 수 없지만 torch로는 열 수 있습니다(README 참고).",
    "Overlay on the current run": "현재 실행 위에 겹쳐 보기",
    "Their curves are drawn dashed on the charts of the current run.": "고른 실행의 곡선을 현재 실행의 차트에 점선으로 그립니다.",
    "{metric} ({part}), baseline": "{metric} ({part}), 기준선",
    "Runs on other data or another column show only their loss.": "다른 데이터나 다른 열로 학습한 실행은 손실 곡선만 겹칩니다.",
    "train accuracy": "학습 정확도",
    "pair": "쌍",
    # unrolled
    "The network unrolled": "펼친 신경망",
    "The cell unrolled over the steps": "단계마다 펼친 셀",
    "Edges carry the weights of the gate": "연결선이 나타내는 가중치의 게이트",
    "Highlight a neuron (layer · unit)": "강조할 뉴런(층 · 유닛)",
    "Step for the equations": "식을 볼 단계",
    "layer {layer}": "층 {layer}",
    "{where}, unit {unit}, step {step} ({label})": "{where}, 유닛 {unit}, 단계 {step} ({label})",
    "{name} at each step": "단계마다 {name}",
    "in '{label}'": "'{label}'에서",
    "one edge per pair of units: W[i, j] of that block, the {most} largest of each pair of boxes": "유닛 쌍마다 선 하나: 그 블록의 W[i, j], 상자 쌍마다 가장 큰 {most}개",
    "one edge per pair of boxes: the block's mean (colour) and root mean square (width)": "상자 쌍마다 선 하나: 블록의 평균(색)과 제곱평균제곱근(굵기)",
    "Nodes: h_t of each unit (inputs x_t at the bottom), red +, blue -. Edges: the {gate} ({symbol}) block of W_ih (up) and W_hh (right), {how}; red +, blue -, wider = larger. Click a node to open its step's equations.": "점: 각 유닛의 h_t(맨 아래는 입력 x_t), 빨강 +, 파랑 -. 선: W_ih(위로)와 W_hh(오른쪽으로)의 {gate}({symbol}) 블록, {how}; 빨강 +, 파랑 -, 굵을수록 큼. 점을 클릭하면 그 단계의 식이 열립니다.",
    "Drawn: the last {steps} of {total} steps and the first {units} of {hidden} units of each layer, so that the picture stays readable.": "그림이 읽히도록 {total}단계 중 마지막 {steps}단계와, 층마다 {hidden}개 유닛 중 처음 {units}개만 그렸습니다.",
    "**Step t = {step}** ({label}), layer {layer}, unit {unit}": "**단계 t = {step}** ({label}), 층 {layer}, 유닛 {unit}",
    "Layer {layer}, unit {unit} after each letter of every word": "모든 단어의 글자마다 층 {layer}, 유닛 {unit}의 값",
    "hidden state": "은닉 상태",
    "input gate": "입력 게이트",
    "forget gate": "망각 게이트",
    "cell candidate": "셀 후보",
    "output gate": "출력 게이트",
    "cell state": "셀 상태",
    "reset gate": "리셋 게이트",
    "update gate": "업데이트 게이트",
    "new state": "새 상태",
    "Starting: a training worker is taking this run.": "시작 중: 학습 워커가 이 학습을 맡고 있습니다.",
    "Starting on {page}": "{page}에서 시작 중",
    # seeds 003-004
    "Seattle series: 4 columns, window of 4": "시애틀 시계열: 4개 열, 창 4",
    "x_t: the Seattle sample's {columns} on {first} to {last}, each scaled to 0..1 over Jan-Apr "
    "2012 (min-max).": "x_t: 시애틀 예제의 {columns}, {first}부터 {last}까지. 각 열을 2012년 1-4월 "
    "기준으로 0..1로 맞췄습니다(최소-최대).",
    "One batch, two layouts: (seq, batch, dim) and batch-first": "한 배치, 두 가지 축 순서: "
    "`(seq, batch, dim)`과 `batch_first`",
    "Three windows of the series make one batch. torch's RNN, LSTM and GRU read **(seq, batch, "
    "dim)** = (L, N, F) = ({l}, {n}, {f}) by default; with `batch_first=True` (as rnnviz builds "
    "them) they read (N, L, F) = ({n}, {l}, {f}). The numbers are the same: `x.transpose(0, 1)` "
    "only swaps the first two axes.": "시계열의 창 세 개가 한 배치가 됩니다. torch의 RNN, LSTM, GRU는 "
    "기본으로 **`(seq, batch, dim)`** = (L, N, F) = ({l}, {n}, {f})를 읽고, `batch_first=True`이면"
    "(rnnviz가 만드는 방식) (N, L, F) = ({n}, {l}, {f})를 읽습니다. 숫자는 같습니다: "
    "`x.transpose(0, 1)`은 앞의 두 축만 바꿉니다.",
    "**batch-first** x: (N, L, F) = {shape}": "**배치 먼저(`batch_first`)** `x`: (N, L, F) = {shape}",
    "**(seq, batch, dim)** x.transpose(0, 1): (L, N, F) = {shape}": "**`(seq, batch, dim)`** "
    "`x.transpose(0, 1)`: (L, N, F) = {shape}",
    "Series of different lengths: padding and PackedSequence": "길이가 다른 시계열: 패딩과 "
    "PackedSequence",
    "The same windows cut to different lengths: window n keeps its first {lengths} days. "
    "Padding (grey) fills the rest with 0 so the batch is one tensor; `pack_padded_sequence` sorts "
    "the series longest first and keeps only the real steps, step by step, so the RNN never reads "
    "a pad.": "같은 창들을 서로 다른 길이로 자릅니다: 창 n은 앞의 {lengths}일만 남깁니다. 패딩(회색)은 "
    "나머지를 0으로 채워 "
    "배치를 한 텐서로 만듭니다. `pack_padded_sequence`는 시계열을 긴 것부터 정렬하고 단계마다 실제 "
    "단계만 남기므로, RNN은 패딩을 읽지 않습니다.",
    "Padded batch (N, L, F) = {shape}": "패딩한 배치 (N, L, F) = {shape}",
    "sequence n · column": "시퀀스 n · 열",
    "pad": "패딩",
    "PackedSequence.data: (S, F) = {shape}": "PackedSequence.data: (S, F) = {shape}",
    "column (F)": "열 (F)",
    "row of data (step t, sequence n)": "묶은 데이터의 행 (단계 t, 시퀀스 n)",
    "**batch_sizes**: sequences still running at each step": "**`batch_sizes`**: 단계마다 아직 "
    "진행 중인 시퀀스 수",
    "sorted_indices: {order}": "`sorted_indices`(정렬 순서): {order}",
    "sequence n": "시퀀스 n",
    "length": "길이",
    "h packed": "h (패킹)",
    "h alone": "h (혼자)",
    "|packed - alone|": "|패킹 - 혼자|",
    "h padded, not packed": "h (패딩, 패킹 안 함)",
    "|padded - alone|": "|패딩 - 혼자|",
    "**The check**: the final hidden state h of each series from one run on the packed batch "
    "equals a run of that series alone (up to float rounding). Run on the padded batch without "
    "packing, a short series reads the pads as days of 0 and ends elsewhere.": "**확인**: 패킹한 "
    "배치를 한 번 돌려 얻은 각 시계열의 마지막 은닉 상태 h는 그 시계열만 따로 돌린 결과와 같습니다"
    "(부동소수점 반올림 범위 안에서). 패킹 없이 패딩한 배치를 돌리면, 짧은 시계열은 패딩을 0인 날로 "
    "읽어 다른 곳에서 끝납니다.",
    "Train this cell on the series": "이 셀을 시계열로 학습",
    "Task: from each window of {l} days (all {n} windows of Jan-Apr 2012) predict the next day's "
    "{target}. {steps} Adam steps on the whole batch, run on the server; then the tables above and the "
    "equations below show the trained numbers.": "과제: {l}일짜리 각 창(2012년 1-4월의 창 {n}개 "
    "전부)에서 다음 날의 {target}을 예측합니다. 배치 전체로 Adam {steps}단계를 여기서 실행합니다. 그러면 "
    "위의 표와 아래의 식이 학습된 숫자를 보여 줍니다.",
    "Train {steps} steps": "{steps}단계 학습",
    "Back to the untrained numbers": "학습 전 숫자로 돌아가기",
    "Training...": "학습 중...",
    "Trained {done} of {steps} steps in {seconds:.2f} s. Mean squared error (scaled): {before:.4f} "
    "before, {after:.4f} after. RMSE of the next day's {target} on these windows: {model:.2f} °C; "
    '"tomorrow = today" gives {baseline:.2f} °C.': "{steps}단계 중 {done}단계를 {seconds:.2f}초 동안 "
    "학습했습니다. 평균제곱오차(스케일): 학습 전 {before:.4f}, 학습 후 {after:.4f}. 이 창들에서 다음 날 "
    '{target}의 RMSE: {model:.2f} °C; "내일 = 오늘"은 {baseline:.2f} °C.',
    "Training loss (MSE, scaled) at each Adam step": "Adam 단계마다의 학습 손실(MSE, 스케일)",
    # seeds 000-002
    "S&P 500, daily 2000-2020 (Yahoo Finance via vega-datasets)": "S&P 500, 일별 2000-2020 (Yahoo Finance, vega-datasets)",
    "Output": "출력",
    "none: the head's number as it is. sigmoid: squashed to 0..1, as in the KOSPI tutorial; with the minmax "
    "scaler it can never go beyond the training part's range.": "none: 출력층의 값을 그대로. sigmoid: KOSPI 튜토리얼처럼 0..1로 "
    "눌러 담습니다. minmax 스케일러와 함께라면 학습 구간의 범위를 결코 넘을 수 없습니다.",
    "Batch size (0 = all)": "배치 크기 (0 = 전부)",
    "Training windows per step of the optimizer; 0 puts every training window in one batch.": "옵티마이저 한 단계에 쓰는 "
    "학습 윈도우 수. 0이면 모든 학습 윈도우를 한 배치에 넣습니다.",
    "torch: first layer": "torch: 첫 층",
    "torch: whole model": "torch: 모델 전체",
    "Keras: first layer": "Keras: 첫 층",
    "Keras: whole model": "Keras: 모델 전체",
    "**Each cell with these sizes: torch beside Keras** (← this model)": "**같은 크기의 셀마다: torch와 Keras 나란히** (← 이 모델)",
    "MNIST 28x28 handwritten digits (LeCun, Cortes, Burges; 10,000 images)": "MNIST 28x28 손글씨 숫자(LeCun, Cortes, Burges; 10,000장)",
    "An image read one row at a time is a sequence: 8 rows of 8 pixels are 8 time steps of 8 features, a 28x28 "
    "MNIST digit 28 steps of 28. The network reads them top to bottom and names the digit after the last row.": "한 줄씩 "
    "읽는 이미지는 시퀀스입니다: 8픽셀짜리 8줄은 특징 8개짜리 8단계이고, 28x28 MNIST 숫자는 28개짜리 28단계입니다. 신경망은 "
    "위에서 아래로 읽고 마지막 줄 다음에 숫자를 말합니다.",
    "Model: {cell}, {layers} layer(s) of {hidden} reading {pixels} pixels at each of {rows} steps, then "
    "Linear({hidden} → {classes}): **{total} parameters** ({parts}).": "모델: {cell}, {hidden}짜리 {layers}층이 {rows}단계마다 "
    "픽셀 {pixels}개를 읽고, 이어서 Linear({hidden} → {classes}): **매개변수 {total}개** ({parts}).",
    # pause/scrub
    "Pause": "일시정지",
    "Step one epoch": "한 에폭만",
    "Resume": "계속",
    "Train exactly one more epoch, then pause again.": "딱 한 에폭 더 학습하고 다시 멈춥니다.",
    "Paused: training waits after the epoch it was in. Nothing is lost.": "일시정지: 진행 중이던 에폭을 마친 뒤 학습이 기다립니다. 잃은 것은 없습니다.",
    "Weights after epoch": "이 에폭 뒤의 가중치",
    "{epoch} (untrained)": "{epoch} (학습 전)",
    "Go back through training: every view below is computed from the weights kept after that epoch ({kept} kept, thinned evenly as training went on).": "학습 과정을 되돌아봅니다: 아래의 모든 보기는 그 에폭 뒤에 저장한 가중치로 계산합니다({kept}개 저장, 학습이 길어질수록 고르게 솎아 냄).",
    "The forecast chart, the errors and the ladder above follow this slider too.": "위의 예측 그래프, 오차 표, 순위표도 이 슬라이더를 따릅니다.",
    "'{target}' after epoch {epoch}, in its own units": "에폭 {epoch} 뒤의 '{target}', 원래 단위",
    "paused": "일시정지",
    # s7 korean: the forecast ladder's verdict and notes (built in English by rnnviz.baselines),
    # the errors table's headers, the PCA axes
    "metric": "지표",
    "better": "더 나은 쪽",
    "tie": "동률",
    "The {model} wins: its RMSE {rmse} is {gap} ({share}) lower than the best baseline, {best} "
    "({best_rmse}).": "{model}이(가) 이깁니다: RMSE {rmse}로, 가장 좋은 기준 모델인 {best}({best_rmse})보다 "
    "{gap}({share}) 낮습니다.",
    "{best} wins: its RMSE {best_rmse} is {gap} ({share}) lower than the {model}'s {rmse}.": "{best}이(가) "
    "이깁니다: RMSE {best_rmse}로, {model}의 {rmse}보다 {gap}({share}) 낮습니다.",
    "{best} wins: its RMSE {best_rmse} is {gap} ({share}) lower than the {model}'s {rmse}, more than "
    "the model's spread over seeds (sd {sd}).": "{best}이(가) 이깁니다: RMSE {best_rmse}로, {model}의 {rmse}보다 "
    "{gap}({share}) 낮고, 이 차이는 시드 간 모델의 흩어짐(표준편차 {sd})보다 큽니다.",
    "A tie: the {model}'s RMSE {rmse} and {best}'s {best_rmse} differ by {gap}, {within}.": "동률: "
    "{model}의 RMSE {rmse}와(과) {best}의 {best_rmse}는 {gap}만큼 다르며, {within}.",
    "within the model's spread over seeds (sd {sd})": "시드 간 모델의 흩어짐(표준편차 {sd}) 안입니다",
    "exactly equal": "정확히 같습니다",
    "The {model} has RMSE {rmse}; no baseline could be computed.": "{model}의 RMSE는 {rmse}입니다. "
    "기준 모델은 하나도 계산할 수 없었습니다.",
    "Persistence": "지속(내일 = 오늘)",
    "Seasonal naive": "계절 단순 예측",
    "Linear autoregression": "선형 자기회귀",
    "Exponential smoothing": "지수 평활",
    "seasonal naive: {why}": "계절 단순 예측: {why}",
    "seasonal naive: a season of {period} rows is longer than the training part ({rows} rows)": "계절 "
    "단순 예측: {period}행 주기가 학습 구간({rows}행)보다 깁니다",
    "{name}: no forecast for some rows of the {part} part": "{name}: {part} 구간의 일부 행에 예측이 "
    "없습니다",
    "exponential smoothing: statsmodels could not fit it ({kind}: {error})": "지수 평활: statsmodels가 "
    "맞추지 못했습니다({kind}: {error})",
    "dates not evenly spaced": "날짜 간격이 고르지 않음",
    "PC1 ({share} of variance)": "PC1(분산의 {share})",
    "PC2 ({share} of variance)": "PC2(분산의 {share})",
    # hover labels (rnnviz.i18n.translate_hover reads them between a template's fields)
    "value": "값",
    "row": "행",
    "pixel": "픽셀",
    # Next letter, Compare
    "**Vocabulary**: {count} letters": "**어휘**: 글자 {count}개",
    "before training": "학습 전",
    "after training": "학습 후",
    "index": "번호",
    "Choose earlier runs": "이전 실행 고르기",
    "No earlier run kept yet": "아직 보관한 이전 실행이 없습니다",
    # rolling-origin folds (rnnviz.runs.fold_table), Compare's results, parts of a model
    "fold": "폴드",
    "test from": "테스트 시작",
    "test to": "테스트 끝",
    "train windows": "학습 윈도",
    "test windows": "테스트 윈도",
    "persistence RMSE": "지속 예측 RMSE",
    "mean": "평균",
    "validation RMSE (scaled)": "검증 RMSE(스케일)",
    "test RMSE (°C)": "테스트 RMSE(°C)",
    "baseline RMSE (°C)": "기준선 RMSE(°C)",
    "training accuracy": "학습 정확도",
    "values": "값",
    "embedding": "임베딩",
    "none in the dates or the training part's autocorrelation": "날짜에도 학습 구간의 자기상관에도 없음",
    # the forecast's warning when later values leave the training range (rnnviz.baselines)
    "The {parts} values of '{target}' leave the training part's range: they reach {reached}, "
    "{beyond} {side} its {word} value {extreme} ({how_far}). A model scaled on the training part "
    "has never seen such values and tends to level off near its edge: try {cure}.": "'{target}'의 "
    "{parts} 구간 값이 학습 구간의 범위를 벗어납니다: {reached}까지 가서, 학습 구간의 {word} 값 "
    "{extreme}보다 {beyond}만큼 {side}입니다({how_far}). 학습 구간으로 스케일한 모델은 이런 값을 본 적이 "
    "없어 그 가장자리 근처에서 평평해지기 쉽습니다: {cure}을(를) 써 보세요.",
    "The {parts} values of '{target}' leave the training part's range: they reach {reached}, "
    "{beyond} {side} its {word} value {extreme} ({how_far}). The model predicts the change from the "
    "last value ({cure} is on), so its forecast can follow the level there.": "'{target}'의 {parts} "
    "구간 값이 학습 구간의 범위를 벗어납니다: {reached}까지 가서, 학습 구간의 {word} 값 {extreme}보다 "
    "{beyond}만큼 {side}입니다({how_far}). 모델이 마지막 값에서의 변화량을 예측하므로({cure} 켜짐) "
    "예측이 그 수준을 따라갈 수 있습니다.",
    "validation and test": "검증과 테스트",
    "above": "위",
    "below": "아래",
    "{percent}% of the training range {low} to {high}": "학습 범위 {low}~{high}의 {percent}%",
    "the training part holds that one value only": "학습 구간에는 그 값 하나뿐입니다",
    "'predict the change'": "'변화량 예측(차분)'",
    # the CSV's notes and problems (rnnviz.data.tables says them in English; '{x}' is the user's)
    "Read {rows} rows x {columns} columns, dated by '{date}' (encoding {encoding}, separator "
    "{separator}).": "{rows}행 x {columns}열을 읽었습니다. 날짜 열은 '{date}'입니다(인코딩 {encoding}, 구분자 "
    "{separator}).",
    "Read {rows} rows x {columns} columns (encoding {encoding}, separator {separator}).": "{rows}행 x "
    "{columns}열을 읽었습니다(인코딩 {encoding}, 구분자 {separator}).",
    "comma": "쉼표",
    "semicolon": "세미콜론",
    "tab": "탭",
    "Column '{column}' holds dates ({format}); it is the time axis.": "'{column}' 열은 날짜({format})를 "
    "담고 있어 시간 축이 됩니다.",
    "day-first": "일이 먼저",
    "Left out (not numbers): {columns}.": "뺀 열(숫자가 아님): {columns}.",
    "column '{column}' is text (for example '{example}'), not numbers": "'{column}' 열은 숫자가 아니라 "
    "글자입니다(예: '{example}')",
    "Rows were not in date order; sorted by '{column}'.": "행이 날짜 순서가 아니어서 '{column}' 기준으로 "
    "정렬했습니다.",
    "Column '{column}' has the same value ({value}) in every row.": "'{column}' 열은 모든 행이 같은 값"
    "({value})입니다.",
    # the teacher presets on the home page (assets/presets/presets.csv): each lesson and what the
    # students do
    "Hello: the classic char-RNN": "Hello: 고전적인 글자 단위 RNN",
    "Train and watch each word's last letter become right; step through the softmax after each "
    "letter.": "학습시키고 단어마다 마지막 글자가 맞아 가는 것을 보세요. 글자마다 소프트맥스를 한 단계씩 따라가 보세요.",
    "Korean words, letter by letter": "한국어 단어, 한 글자씩",
    "Predict every next letter of Korean fruit names; look at one neuron across every word.": "한국어 "
    "과일 이름의 다음 글자를 매번 예측하고, 뉴런 하나를 모든 단어에 걸쳐 보세요.",
    "Beat tomorrow = today": "'내일 = 오늘'을 이겨라",
    "Train on the Seattle temperatures and compare the model's RMSE with the persistence baseline "
    "in °C.": "시애틀 기온으로 학습시키고 모델의 RMSE를 지속성 기준선과 °C 단위로 비교하세요.",
    "Why LSTMs exist": "LSTM이 있는 이유",
    "Train RNN/LSTM/GRU and an LSTM whose forget gate starts at bias 1 on the long-memory task; read "
    "the vanishing-gradient chart before and after training: how much of the gradient reaches the "
    "first letter with and without the forget bias.": "긴 기억 과제에서 RNN/LSTM/GRU와 망각 게이트 편향을 1로 "
    "시작하는 LSTM을 학습시키고, 학습 전후의 기울기 소실 그래프를 읽으세요: 망각 편향이 있을 때와 없을 때 기울기가 "
    "첫 글자까지 얼마나 닿는지.",
    "Reading digits row by row": "숫자를 한 줄씩 읽기",
    "Train the row-by-row digit classifier; find the images it gets wrong and how sure it was after "
    "each row.": "한 줄씩 읽는 숫자 분류기를 학습시키고, 틀리는 이미지와 줄마다 얼마나 확신했는지 찾아보세요.",
    "Translate with seq2seq": "seq2seq로 번역하기",
    "Train the encoder-decoder; then set teacher forcing to 0 and to 1 and compare the curves.": "인코더-"
    "디코더를 학습시킨 뒤, 교사 강요를 0과 1로 바꿔 곡선을 비교하세요.",
    "003: OHLC window of 4": "003: OHLC, 윈도 4",
    "Four numbers per day (the Seattle sample's precipitation, temp_max, temp_min and wind) in "
    "windows of 4: compare the (seq, batch, dim) layout with batch-first, then press Train and watch "
    "every equation's numbers change.": "하루에 숫자 네 개(시애틀 예제의 precipitation, temp_max, temp_min, "
    "wind)를 4일 윈도로: (시퀀스, 배치, 차원) 순서를 배치가 맨 앞인 순서와 비교한 뒤, 학습을 누르고 모든 식의 숫자가 바뀌는 "
    "것을 보세요.",
    "004: PackedSequence": "004: PackedSequence",
    "Cut three windows of the series to 4, 2 and 3 days: read the padded batch with its pad cells, "
    "the packed data and batch_sizes torch makes of it, and check that the packed run ends in the "
    "same hidden state as each series run alone.": "시계열의 윈도 세 개를 4일, 2일, 3일로 자르세요: 패딩 "
    "칸이 있는 패딩된 배치, torch가 만든 묶은 데이터와 단계별 배치 크기를 읽고, 묶어서 돌린 결과가 각 시계열을 "
    "따로 돌렸을 때와 같은 은닉 상태로 끝나는지 확인하세요.",
    "One neuron by hand": "손으로 푸는 뉴런 하나",
    "Step from t=0 to t=1 and check tanh(0.5*2 + 0.1 + 0.8*0.5370) = 0.9104 by hand.": "t=0에서 t=1로 "
    "넘어가며 tanh(0.5*2 + 0.1 + 0.8*0.5370) = 0.9104를 손으로 확인하세요.",
    "Seed 000: the KOSPI tutorial's RNN": "시드 000: KOSPI 튜토리얼의 RNN",
    "Train the tutorial's model (a 2-layer RNN of 8 reading open/high/low/volume; windows of 5 "
    "flattened into Linear(40 -> 1) and a Sigmoid: 297 parameters); then see why a Sigmoid after a "
    "minmax scaler cannot forecast above the training part's highest close.": "튜토리얼의 모델(open/high/"
    "low/volume을 읽는 8짜리 2층 RNN, 5일 윈도를 펼쳐 Linear(40 -> 1)과 Sigmoid로: 매개변수 297개)을 "
    "학습시키고, minmax 스케일러 뒤의 Sigmoid가 왜 학습 구간의 가장 높은 종가 위를 예측할 수 없는지 보세요.",
    "Seed 001: tanh or relu, torch and Keras counts": "시드 001: tanh 또는 relu, torch와 Keras의 개수",
    "Train the classic hello RNN with relu and then with tanh; read each cell's parameters in torch "
    "and in Keras side by side and find where the biases make the difference.": "고전적인 hello RNN을 "
    "relu로, 다음엔 tanh로 학습시키고, 셀마다 torch와 Keras의 매개변수 수를 나란히 읽어 편향이 어디서 차이를 "
    "만드는지 찾으세요.",
    "Seed 002: MNIST 28x28 row by row": "시드 002: MNIST 28x28, 한 줄씩",
    "Read real 28x28 MNIST digits one pixel row per step (28 steps of 28 inputs) with the classic "
    "2-layer LSTM of 128; count its 214282 parameters and watch its answer firm up row by row.": "진짜 "
    "28x28 MNIST 숫자를 단계마다 픽셀 한 줄씩(입력 28개짜리 28단계) 고전적인 128짜리 2층 LSTM으로 읽고, "
    "매개변수 214282개를 세고, 답이 한 줄씩 굳어 가는 것을 보세요.",
    # s7 scrub
    "each run's end": "각 학습의 끝",
    "Go back through training: the table above and the curves after training below use every "
    "cell's weights kept after that epoch ({kept} kept, thinned evenly as training went on).": "학습 "
    "과정을 되돌아봅니다: 위의 표와 아래의 학습 후 곡선은 셀마다 그 에폭 뒤에 저장한 가중치를 "
    "씁니다({kept}개 저장, 학습이 길어질수록 고르게 솎아 냄).",
    "{name} after epoch {epoch}": "{name} 에폭 {epoch} 뒤",
    "Paused after epoch {epoch}: the slider goes back through the epochs kept so far. Step one "
    "epoch adds the next; Resume trains on to the end.": "에폭 {epoch} 뒤에서 일시정지: 슬라이더로 "
    "지금까지 저장한 에폭을 되돌아봅니다. '한 에폭만'은 다음 에폭을 더하고, '계속'은 끝까지 학습합니다.",
    # s7 preset
    "Preset: the RNN forgets, the LSTM and GRU remember (N = {n})": "프리셋: RNN은 잊고, LSTM과 GRU는 "
    "기억합니다 (N = {n})",
    "Expect within 20 epochs (seeds 0-2): LSTM and GRU near 100%, the RNN at most 50% (chance: 25%). The letter "
    "comes anywhere in {n} steps; gates learn to keep it, the RNN's gradient fades first. The LSTM with forget bias "
    "1 learns no later.": "20 에폭 안에(시드 0-2) LSTM과 GRU는 100% 가까이, RNN은 많아야 50%입니다(우연 수준: "
    "25%). 글자는 {n}단계 중 어디에나 옵니다. 게이트는 그것을 간직하는 법을 배우고, RNN의 기울기는 그 전에 "
    "사라집니다. 망각 편향 1인 LSTM은 더 늦게 배우지 않습니다.",
    "Letter anywhere": "글자 위치 무작위",
    "The capital letter to remember stands at a random step among the N + 1, with distractors before it too: the "
    "model must notice it when it comes and keep it from then on.": "기억할 대문자가 N + 1개 중 임의의 단계에 "
    "놓이고 그 앞에도 방해 글자가 있습니다. 모델은 글자가 올 때 알아채고 그때부터 간직해야 합니다.",
    "LSTM story: the RNN forgets, the LSTM and GRU remember": "LSTM 이야기: RNN은 잊고, LSTM과 GRU는 기억합니다",
    "Train with the capital letter anywhere among 100 distractors (seeds 0-2): the RNN cannot tell the 4 letters "
    "apart (chance is 25%) while the LSTM and GRU reach 100%; the LSTM whose forget gate starts at bias 1 learns no "
    "later. Set the gradient chart to N = 100 and compare the curves before and after training.": "대문자가 방해 "
    "글자 100개 사이 어디에나 오는 과제로 학습합니다(시드 0-2). RNN은 4개의 글자를 구별하지 못하고(우연 수준 25%) "
    "LSTM과 GRU는 100%에 도달합니다. 망각 게이트 편향이 1에서 시작하는 LSTM은 더 늦게 배우지 않습니다. 기울기 "
    "그래프를 N = 100으로 두고 학습 전후의 곡선을 비교하세요.",
    "Training sequences": "학습 시퀀스 수",
    "How many random sequences the models train on (each epoch reads them all); the validation part is 128 "
    "others.": "모델이 학습하는 임의 시퀀스의 수입니다(에폭마다 모두 읽습니다). 검증 부분은 다른 128개입니다.",
}
