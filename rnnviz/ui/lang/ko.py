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
    "all": "전체",
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
    "It trains seed {seed}; add --seed N for another.": "시드 {seed}로 학습합니다. 다른 시드는 --seed N을 붙이세요.",
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
    "Each letter was drawn from softmax(logits / {temperature:g}): the 5 most likely, the one written in orange": "각 글자는 softmax(logits / {temperature:g})에서 뽑혔습니다: 가장 그럴듯한 5개, 쓴 글자는 주황색",
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
    "An image read one row at a time is a sequence: 8 rows of 8 pixels are 8 time steps of 8 features. The "
    "network reads them top to bottom and names the digit after the last row.": "한 줄씩 읽는 이미지는 시퀀스입니다: 8픽셀짜리 8줄은 특징 8개짜리 8단계입니다. 신경망은 위에서 아래로 읽고 "
    "마지막 줄 다음에 숫자를 말합니다.",
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
    "The long-memory task needs the first letter at the answer. Training moves the weights by the gradient: how "
    "much the loss would change if the hidden state h_t at each step changed. Here is its size, averaged over 16 "
    "sequences, against how many steps h_t lies before the answer.": "긴 기억 과제는 답할 때 첫 글자가 필요합니다. 학습은 기울기만큼 가중치를 움직입니다: 각 단계의 은닉 상태 h_t가 "
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
}
