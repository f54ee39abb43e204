"""The stack of infra/ as the local run needs it, read from the Terraform itself (no second list).

What is read, with the regular expressions below (the files are generated, `terraform fmt`-ed HCL; the
scanners' python-hcl2 is not in the functions' environment):
- variables.tf: `name_prefix` and `server_client_ids` (their defaults), so names are the deployed ones:
  `<name_prefix>-<stage>-<module>-events` topics, the `<name_prefix>-<stage>` database;
- events.tf: the topics (`topic_names`);
- every `module` built from blocks/worker (functions.tf, modules/<module>/main.tf): the worker's name,
  label, entry point, timeout, environment and its push subscriptions (source topic and filter); and
  from blocks/job, a job's the same, with its schedule;
  blocks/worker/main.tf: the dead-letter policy (max_delivery_attempts) and the retry policy's backoff;
- every `google_cloudfunctions2_function` (the API, the wallet's outbox relay): its entry point, its
  environment and its Eventarc trigger's document pattern, if any;
- modules/<module>/main.tf's `api_environment` output: the server callers' client ids and key secrets,
  and the leaderboards' pseudonym key secret (each secret's id from its resource's `secret_id`);
- hybrid mode: modules/operator_wallet/main.tf's `bonus_wallet` output (the bonus-paying workers'
  `var.platform.operator_wallet`): the operator's wallet URL (variables.tf's `operator_wallet_url`) and
  its key's secret, named in those workers' `<worker>_operator_wallet` local;
- a bucket a function's environment names (`google_storage_bucket.<name>.name`): its deployed name
  (main.tf's `unique` prefix, with the local project's hash) and whether it is versioned; the local run
  creates it on its Cloud Storage server.
A value the local run cannot resolve (one no local server here offers) is left out.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace

from tools.local import LocalSetupError
from tools.project import PROJECT_ROOT

INFRA = PROJECT_ROOT / "infra"
# The project the local run's clients name: the emulators take any, and no real project is reached.
LOCAL_PROJECT = "local-project"

_BLOCK = re.compile(
    r'^(module|resource|variable|output|locals)(?: "([^"]+)")?(?: "([^"]+)")? \{', re.MULTILINE
)
_STRING = r'"((?:[^"\\]|\\.)*)"'


@dataclass(frozen=True)
class Subscription:
    """A worker's push subscription: its key (the source module), its topic (id), its filter."""

    key: str
    topic: str
    filter: str


@dataclass(frozen=True)
class Function:
    """A function infra/ deploys: its name (the AWS flavour's key), entry point and environment."""

    name: str
    entry_point: str
    environment: dict[str, str]
    label: str = ""
    timeout_seconds: int = 30
    subscriptions: tuple[Subscription, ...] = ()
    # An Eventarc Firestore trigger's document pattern (the outbox relay), if it has one.
    trigger_document: str | None = None
    # A job's Cloud Scheduler schedule (blocks/job), if it is one.
    schedule: str | None = None
    # Pub/Sub topics the function's environment names that are not events topics (name -> topic id).
    own_topics: dict[str, str] = field(default_factory=dict)
    # Buckets its environment names (deployed name -> versioned): the local run creates them.
    buckets: dict[str, bool] = field(default_factory=dict)
    # Variables of its environment the local run cannot give it (a dataset: no local server here).
    unresolved: tuple[str, ...] = ()

    @property
    def is_worker(self) -> bool:
        return bool(self.subscriptions)


@dataclass(frozen=True)
class Stack:
    """What the local run creates and serves, as infra/ declares it for one stage."""

    stage: str
    prefix: str
    topics: dict[str, str]  # module key -> topic id
    functions: tuple[Function, ...]
    max_delivery_attempts: int
    minimum_backoff: str
    maximum_backoff: str
    api_environment: dict[str, str]
    secret_names: tuple[str, ...]  # the key secrets the API reads (their resource names), no -previous
    # The key secrets each other function reads (hybrid mode: the bonus-paying workers'), by function.
    worker_secret_names: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return self.prefix

    @property
    def buckets(self) -> dict[str, bool]:
        """Every bucket a function's environment names (deployed name -> versioned)."""
        buckets: dict[str, bool] = {}
        for function in self.functions:
            buckets.update(function.buckets)
        return buckets

    @property
    def api(self) -> Function:
        return next(function for function in self.functions if function.entry_point == "api")

    def subscription_name(self, worker: Function, subscription: Subscription) -> str:
        return f"projects/{LOCAL_PROJECT}/subscriptions/{self.prefix}-{worker.label}-{subscription.key}"

    def dead_letter_topic(self, worker: Function) -> str:
        return f"projects/{LOCAL_PROJECT}/topics/{self.prefix}-{worker.label}-dead-letters"

    def dead_letter_subscription(self, worker: Function) -> str:
        return f"projects/{LOCAL_PROJECT}/subscriptions/{self.prefix}-{worker.label}-dead-letters"


def _blocks(text: str) -> list[tuple[str, str, str, str]]:
    """(kind, first label, second label, body) of every top-level block of a file."""
    found = []
    for match in _BLOCK.finditer(text):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        found.append((match.group(1), match.group(2) or "", match.group(3) or "", text[match.end() : end]))
    return found


def _braced(text: str, start: int) -> str:
    """The text between the brace at or after `start` and its match."""
    begin = text.index("{", start)
    depth = 0
    for end in range(begin, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            return text[begin + 1 : end]
    raise LocalSetupError("infra/: unbalanced braces")


def _parenthesized(text: str, begin: int) -> str:
    """The text between the parenthesis at `begin` and its match."""
    depth = 0
    for end in range(begin, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return text[begin + 1 : end]
    raise LocalSetupError("infra/: unbalanced parentheses")


def _attribute(body: str, name: str) -> str | None:
    found = re.search(rf"^\s*{name}\s*=\s*{_STRING}", body, re.MULTILINE)
    return None if found is None else found.group(1).replace('\\"', '"')


def _default(variables: str, name: str) -> str:
    block = next((body for kind, label, _, body in _blocks(variables) if label == name), None)
    if block is None:
        raise LocalSetupError(f"infra/variables.tf has no variable {name!r}")
    found = re.search(rf"default\s*=\s*{_STRING}", block)
    if found is None:
        raise LocalSetupError(f"infra/variables.tf: variable {name!r} has no default")
    return found.group(1)


class _Reader:
    def __init__(self, stage: str) -> None:
        variables = (INFRA / "variables.tf").read_text(encoding="utf-8")
        self.stage = stage
        self.prefix = f"{_default(variables, 'name_prefix')}-{stage}"
        ids_block = next(body for kind, label, _, body in _blocks(variables) if label == "server_client_ids")
        self.client_ids = dict(re.findall(rf"^\s*([a-z-]+)\s*=\s*{_STRING}", ids_block, re.MULTILINE))
        events = (INFRA / "events.tf").read_text(encoding="utf-8")
        self.events_text = events
        self.main_text = (INFRA / "main.tf").read_text(encoding="utf-8")
        unique = re.search(
            r'unique\s*=\s*"\$\{local\.prefix\}-\$\{substr\(sha1\(var\.project_id\), 0, (\d+)\)\}"',
            self.main_text,
        )
        if unique is None:
            raise LocalSetupError("infra/main.tf: no `unique` local (the buckets' names) as expected")
        digest = hashlib.sha1(LOCAL_PROJECT.encode(), usedforsecurity=False).hexdigest()
        self.unique = f"{self.prefix}-{digest[: int(unique.group(1))]}"
        self.operator_wallet = self._operator_wallet(variables)
        names = re.search(r"topic_names\s*=\s*\[([^\]]*)\]", events)
        if names is None:
            raise LocalSetupError("infra/events.tf has no topic_names")
        self.topics = {
            key: self.topic_id(f"{self.prefix}-{key}-events") for key in re.findall(_STRING, names.group(1))
        }

    def _operator_wallet(self, variables: str) -> dict[str, str]:
        """Hybrid mode: what `var.platform.operator_wallet` holds (infra/modules.tf hands the modules the
        operator_wallet module's `bonus_wallet`), as the local run names it; nothing without the module."""
        path = INFRA / "modules" / "operator_wallet" / "main.tf"
        if not path.is_file():
            return {}
        secret_id = self.secret_id(path.read_text(encoding="utf-8"), "bonus_key", "")
        secret = f"projects/{LOCAL_PROJECT}/secrets/{secret_id}"
        return {
            "var.platform.operator_wallet.url": _default(variables, "operator_wallet_url"),
            "var.platform.operator_wallet.key_secret": secret,
        }

    def topic_id(self, name: str) -> str:
        return f"projects/{LOCAL_PROJECT}/topics/{name}"

    def name(self, template: str) -> str:
        for variable in ("${var.platform.unique}", "${local.unique}"):
            template = template.replace(variable, self.unique)
        return template.replace("${var.platform.prefix}", self.prefix).replace("${local.prefix}", self.prefix)

    def secret_id(self, file_text: str, resource: str, each: str) -> str:
        """The secret_id of the file's google_secret_manager_secret `resource` (its `each` for a for_each)."""
        body = next(
            (
                body
                for kind, typ, name, body in _blocks(file_text)
                if kind == "resource" and typ == "google_secret_manager_secret" and name == resource
            ),
            None,
        )
        template = None if body is None else _attribute(body, "secret_id")
        if template is None:
            raise LocalSetupError(f"infra/: no secret_id for google_secret_manager_secret.{resource}")
        return self.name(template).replace("${each.value}", each)

    def environment(
        self,
        expression: str,
        file_text: str,
        own_topics: dict[str, str],
        unresolved: list[str] | None = None,
        buckets: dict[str, bool] | None = None,
    ) -> dict[str, str]:
        """The variables of a function's environment expression, as far as they resolve locally; the
        names of the others are added to `unresolved`."""
        environment = {
            "GOOGLE_CLOUD_PROJECT": LOCAL_PROJECT,
            "FIRESTORE_DATABASE": self.prefix,
            "STAGE": self.stage,
        }
        parts = [expression]
        # Each local map the expression merges (the module's `environment`, a worker's own).
        for local in re.findall(r"\blocal\.([a-z_]+)\b", expression):
            for locals_body in (body for kind, *_, body in _blocks(file_text) if kind == "locals"):
                found = re.search(r"^\s*" + local + r"\s*=\s*\{", locals_body, re.MULTILINE)
                if found is not None:
                    parts.append(_braced(locals_body, found.start()))
        for part in parts:
            for name, value in re.findall(r"([A-Z][A-Z0-9_]+)\s*=\s*([^\n]+)", part):
                resolved = self.value(value.strip().rstrip(","), file_text, own_topics, buckets)
                if resolved is not None:
                    environment[name] = resolved
                elif unresolved is not None:
                    unresolved.append(name)
        return environment

    def value(
        self, value: str, file_text: str, own_topics: dict[str, str], buckets: dict[str, bool] | None = None
    ) -> str | None:
        quoted = re.fullmatch(_STRING, value)
        if quoted is not None:
            return quoted.group(1)
        bucket = re.fullmatch(r"google_storage_bucket\.([a-z_]+)\.name", value)
        if bucket is not None:
            return self.bucket(bucket.group(1), file_text, buckets)
        if value in self.operator_wallet:
            return self.operator_wallet[value]
        key = re.fullmatch(r'[a-z.]+topics\["([a-z_]+)"\]', value)
        if key is not None:
            return self.topics[key.group(1)]
        if value.startswith("jsonencode("):
            keys = re.findall(r'topics\["([a-z_]+)"\]', value)
            if "local.topics)" in value:
                keys = list(self.topics)
            return json.dumps({key: self.topics[key] for key in keys})
        topic = re.fullmatch(r"google_pubsub_topic\.([a-z_]+)\.id", value)
        if topic is not None:
            resource = next(
                (
                    body
                    for kind, typ, name, body in _blocks(file_text + "\n" + self.events_text)
                    if typ == "google_pubsub_topic" and name == topic.group(1)
                ),
                None,
            )
            name = None if resource is None else _attribute(resource, "name")
            if name is None:
                return None
            own_topics[topic.group(1)] = self.topic_id(self.name(name))
            return own_topics[topic.group(1)]
        return None

    def bucket(self, resource: str, file_text: str, buckets: dict[str, bool] | None) -> str | None:
        """The deployed name of the google_storage_bucket `resource` (in the file or main.tf), noted in
        `buckets` with whether it is versioned."""
        body = next(
            (
                body
                for kind, typ, name, body in _blocks(file_text + "\n" + self.main_text)
                if kind == "resource" and typ == "google_storage_bucket" and name == resource
            ),
            None,
        )
        template = None if body is None else _attribute(body, "name")
        if body is None or template is None:
            return None
        name = self.name(template)
        if "${" in name:
            return None
        if buckets is not None:
            buckets[name] = re.search(r"versioning\s*\{\s*enabled\s*=\s*true", body) is not None
        return name

    def worker(self, body: str, file_text: str) -> Function:
        own: dict[str, str] = {}
        buckets: dict[str, bool] = {}
        unresolved: list[str] = []
        found = re.search(r"^\s*environment\s*=\s*merge\(", body, re.MULTILINE)
        expression = _parenthesized(body, found.end() - 1) if found else ""
        subscriptions_at = re.search(r"^\s*subscriptions\s*=\s*\{", body, re.MULTILINE)
        subscriptions = []
        if subscriptions_at is not None:
            listed = _braced(body, subscriptions_at.start())
            for key, topic, condition in re.findall(
                r"([a-z_]+)\s*=\s*\{\s*topic\s*=\s*(\S+)\s*filter\s*=\s*" + _STRING, listed
            ):
                topic_id = self.value(topic, file_text, own)
                if topic_id is None:
                    raise LocalSetupError(f"infra/: the topic {topic} of a subscription cannot be resolved")
                subscriptions.append(Subscription(key, topic_id, condition.replace('\\"', '"')))
        timeout = re.search(r"^\s*timeout_seconds\s*=\s*(\d+)", body, re.MULTILINE)
        name, label, entry_point = (_attribute(body, key) for key in ("function", "label", "entry_point"))
        if not (name and label and entry_point):
            raise LocalSetupError("infra/: a worker or job module lacks function, label or entry_point")
        return Function(
            name=name,
            entry_point=entry_point,
            # blocks/function adds the worker's key.
            environment={
                **self.environment(expression, file_text, own, unresolved, buckets),
                "FUNCTION_KEY": name,
            },
            label=label,
            timeout_seconds=int(timeout.group(1)) if timeout else 30,
            subscriptions=tuple(subscriptions),
            own_topics=own,
            buckets=buckets,
            unresolved=tuple(unresolved),
        )

    def function(self, body: str, file_text: str) -> Function:
        own: dict[str, str] = {}
        buckets: dict[str, bool] = {}
        unresolved: list[str] = []
        found = re.search(r"environment_variables\s*=\s*merge\(", body)
        expression = _parenthesized(body, found.end() - 1) if found else ""
        entry_point = _attribute(body, "entry_point") or ""
        label = re.search(r'labels\s*=\s*\{\s*function\s*=\s*"([a-z]+)"', body)
        key = re.search(r'FUNCTION_KEY\s*=\s*"([A-Za-z]+)"', body)
        trigger = re.search(r'value\s*=\s*"([^"]+)"\s*\n\s*operator\s*=\s*"match-path-pattern"', body)
        environment = self.environment(expression, file_text, own, unresolved, buckets)
        if "local.api_environment" in body:
            environment["EVENT_TOPICS"] = json.dumps(self.topics)
        return Function(
            name=key.group(1) if key else entry_point,
            entry_point=entry_point,
            environment=environment,
            label=label.group(1) if label else entry_point,
            trigger_document=trigger.group(1) if trigger else None,
            own_topics=own,
            buckets=buckets,
            unresolved=tuple(unresolved),
        )


def load(stage: str) -> Stack:
    """The stack infra/ declares for `stage`, named as deployed (LocalSetupError if infra/ cannot be read)."""
    if not INFRA.is_dir():
        raise LocalSetupError("infra/ is missing: the local run reads the stack from its Terraform")
    reader = _Reader(stage)
    functions: list[Function] = []
    api_environment: dict[str, str] = {}
    secret_names: list[str] = []
    files = [INFRA / "functions.tf", *sorted((INFRA / "modules").glob("*/main.tf"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for kind, first, _, body in _blocks(text):
            if kind == "module" and re.search(r'source\s*=\s*"[./]*/?blocks/worker"', body):
                functions.append(reader.worker(body, text))
            elif kind == "module" and re.search(r'source\s*=\s*"[./]*/?blocks/job"', body):
                worker = reader.worker(body, text)  # a job reads the same way, with no subscriptions
                functions.append(replace(worker, schedule=_attribute(body, "schedule")))
            elif kind == "resource" and first == "google_cloudfunctions2_function":
                functions.append(reader.function(body, text))
            elif kind == "output" or (kind == "resource" and first == "google_secret_manager_secret"):
                pass
        output = re.search(r'^output "api_environment" \{', text, re.MULTILINE)
        if output is not None:
            value = _braced(_braced(text, output.start()), _braced(text, output.start()).index("value"))
            for name, caller in re.findall(
                r'([A-Z_]+_CLIENT_IDS)\s*=\s*var\.platform\.server_client_ids\["([a-z-]+)"\]', value
            ):
                api_environment[name] = reader.client_ids.get(caller, "")
            for name, resource, each in re.findall(
                r'([A-Z_]+_KEY_SECRET)\s*=\s*google_secret_manager_secret\.([a-z_]+)(?:\["([a-z-]+)"\])?\.id',
                value,
            ):
                secret_id = f"projects/{LOCAL_PROJECT}/secrets/{reader.secret_id(text, resource, each)}"
                api_environment[name] = secret_id
                if "PREVIOUS" not in name:
                    secret_names.append(secret_id)
    # A key secret another function reads (hybrid mode: the operator's wallet key of the bonus workers).
    worker_secret_names = {
        function.name: tuple(
            value for name, value in function.environment.items() if name.endswith("_KEY_SECRET")
        )
        for function in functions
        if function.entry_point != "api"
        and any(name.endswith("_KEY_SECRET") for name in function.environment)
    }
    api = next((function for function in functions if function.entry_point == "api"), None)
    if api is None:
        raise LocalSetupError('infra/functions.tf declares no function with entry_point "api"')
    functions[functions.index(api)] = Function(
        name=api.name, entry_point="api", environment={**api.environment, **api_environment}, label=api.label
    )
    block = (INFRA / "blocks" / "worker" / "main.tf").read_text(encoding="utf-8")
    attempts = re.search(r"max_delivery_attempts\s*=\s*(\d+)", block)
    minimum = _attribute(block, "minimum_backoff")
    maximum = _attribute(block, "maximum_backoff")
    if attempts is None or minimum is None or maximum is None:
        raise LocalSetupError("infra/blocks/worker/main.tf: no dead_letter_policy or retry_policy found")
    return Stack(
        stage=stage,
        prefix=reader.prefix,
        topics=reader.topics,
        functions=tuple(functions),
        max_delivery_attempts=int(attempts.group(1)),
        minimum_backoff=minimum,
        maximum_backoff=maximum,
        api_environment=api_environment,
        secret_names=tuple(secret_names),
        worker_secret_names=worker_secret_names,
    )
