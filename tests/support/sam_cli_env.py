"""Run by the SAM CLI's own venv (.venv-sam), not the test venv: each function's environment as
`sam local invoke --env-vars FILE` resolves it, by SAM CLI's code, printed as JSON by full path.

    .venv-sam/bin/python tests/support/sam_cli_env.py TEMPLATE ENV_VARS_FILE
"""

import json
import sys
from types import SimpleNamespace

from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider


def main(template: str, env_vars_file: str) -> None:
    stacks, _ = SamLocalStackProvider.get_stacks(template)
    with open(env_vars_file) as handle:
        values = json.load(handle)
    # the runner's own method, on a stand-in that holds what it reads from the runner
    runner = SimpleNamespace(env_vars_values=values, get_aws_creds=dict, is_debugging=lambda: False)
    resolved = {
        function.full_path: LocalLambdaRunner._make_env_vars(runner, function).resolve()
        for function in SamFunctionProvider(stacks).get_all()
    }
    print(json.dumps(resolved))


if __name__ == "__main__":
    main(*sys.argv[1:3])
