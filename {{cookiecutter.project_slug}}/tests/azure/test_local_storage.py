"""What the local run reads from infra/ (tools/azure/storage.py): storage and each app's settings.

The run creates on Azurite what the Terraform declares and gives each app the settings the Terraform
gives it; a setting it cannot give a local value stops the run, naming the file, the line and the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tools.azure.dev import CLOUD_VALUES
from tools.azure.storage import EVERY_APP, read
from tools.local import LocalSetupError

ROOT_TF = """
resource "azurerm_storage_table" "audit_trail" {
  name                 = "AuditTrail"
  storage_account_name = local.data
}

locals {
  platform = {
    app_settings = {
      STAGE            = var.stage
      AUDIT_TABLE_NAME = azurerm_storage_table.audit_trail.name
      TOPIC            = azurerm_eventgrid_topic.events.endpoint
    }
  }
}
"""
MODULE_TF = """
resource "azurerm_storage_table" "wallet" {
  name = "Wallet"
}

resource "azurerm_storage_queue" "outbox_poison" {
  name = "wallet-outbox-poison"
}

module "app" {
  app = "wallet"
  app_settings = {
    WALLET_TABLE_NAME   = azurerm_storage_table.wallet.name
    OUTBOX_POISON_QUEUE = azurerm_storage_queue.outbox_poison.name
    MODE                = "relay"
  }
}

output "api_settings" {
  value = {
    WALLET_TABLE_NAME = azurerm_storage_table.wallet.name
  }
}
"""


def infra(tmp_path: Path, root: str = ROOT_TF) -> Path:
    (tmp_path / "main.tf").write_text(root, encoding="utf-8")
    (tmp_path / "modules" / "wallet").mkdir(parents=True)
    (tmp_path / "modules" / "wallet" / "main.tf").write_text(MODULE_TF, encoding="utf-8")
    return tmp_path


def test_each_app_gets_the_platform_s_settings_and_its_own(tmp_path: Path) -> None:
    storage = read("qa", {"TOPIC": "local-topic"}, infra(tmp_path))

    assert storage.tables == {"AuditTrail", "Wallet"}
    assert storage.queues == {"wallet-outbox-poison"}
    assert storage.app_settings("wallet") == {
        "STAGE": "qa",
        "AUDIT_TABLE_NAME": "AuditTrail",
        "TOPIC": "local-topic",
        "WALLET_TABLE_NAME": "Wallet",
        "OUTBOX_POISON_QUEUE": "wallet-outbox-poison",
        "MODE": "relay",
    }
    assert storage.settings["api"] == {"WALLET_TABLE_NAME": "Wallet"}


def test_a_cloud_address_without_a_local_value_is_refused_by_file_line_and_name(tmp_path: Path) -> None:
    with pytest.raises(LocalSetupError, match=r"infra/main\.tf:\d+: the setting TOPIC = azurerm_eventgrid"):
        read("qa", {}, infra(tmp_path))


def test_this_project_s_apps_read_tables_the_terraform_declares() -> None:
    storage = read("dev", CLOUD_VALUES)

    tables = {
        value
        for app in [EVERY_APP, *storage.settings]
        for name, value in storage.app_settings(app).items()
        if name.endswith("_TABLE_NAME")
    }
    assert tables, storage.settings
    assert tables <= storage.tables
    assert storage.app_settings("api")["AUDIT_TABLE_NAME"] == "AuditTrail"
