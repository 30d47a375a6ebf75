//! The facts a statement establishes, as far as the rules care.

use crate::source::Span;

/// A schema-qualified name, normalised as PostgreSQL does (unquoted parts folded to lower case).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualName {
    pub schema: Option<String>,
    pub name: String,
}

impl QualName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        Self {
            schema: schema.map(str::to_string),
            name: name.to_string(),
        }
    }
}

impl std::fmt::Display for QualName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// What kind of relation a CREATE made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelKind {
    Table,
    Partitioned,
    Foreign,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub name_span: Span,
    /// The type as written, lower-cased with single spaces.
    pub ty: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTable {
    pub name: QualName,
    pub name_span: Span,
    pub temporary: bool,
    pub kind: RelKind,
    /// `None` when the columns cannot be known statically (`CREATE TABLE AS`, `LIKE`, `OF type`).
    pub columns: Option<Vec<Column>>,
    pub partition_of: Option<QualName>,
}

/// The command a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub const fn as_str(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }

    pub const fn writes(self) -> bool {
        !matches!(self, PolicyCommand::Select)
    }
}

/// A policy expression: its text (as written) and its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePolicy {
    pub name: String,
    pub name_span: Span,
    pub table: QualName,
    pub permissive: bool,
    pub command: PolicyCommand,
    /// Lower-cased role names; `public` when no `TO` clause.
    pub roles: Vec<String>,
    pub using: Option<Expr>,
    pub with_check: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterPolicy {
    pub name: String,
    pub table: QualName,
    pub rename_to: Option<String>,
    pub roles: Option<Vec<String>>,
    pub using: Option<Expr>,
    pub with_check: Option<Expr>,
}

/// A function as named in GRANT/REVOKE/ALTER/DROP: arguments are normalised type names, or `None`
/// when omitted (the name alone identifies it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncRef {
    pub name: QualName,
    pub args: Option<Vec<String>>,
}

/// What a GRANT or REVOKE applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantTarget {
    Tables(Vec<QualName>),
    AllTablesIn(Vec<String>),
    Functions(Vec<FuncRef>),
    AllFunctionsIn(Vec<String>),
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub revoke: bool,
    /// Lower-cased privileges, `all` expanded for the target kind.
    pub privileges: Vec<String>,
    pub target: GrantTarget,
    /// Lower-cased role names (`public` for PUBLIC).
    pub grantees: Vec<String>,
    pub span: Span,
}

/// What `ALTER DEFAULT PRIVILEGES` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultObjects {
    Tables,
    Functions,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPrivileges {
    /// Empty: every schema.
    pub schemas: Vec<String>,
    pub objects: DefaultObjects,
    pub revoke: bool,
    pub privileges: Vec<String>,
    pub grantees: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateView {
    pub name: QualName,
    pub name_span: Span,
    pub materialized: bool,
    pub temporary: bool,
    pub security_invoker: bool,
    /// Schema-qualified relations the query reads, lower-cased (`auth.users`).
    pub reads: Vec<QualName>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateFunction {
    pub name: QualName,
    pub name_span: Span,
    pub args: Vec<String>,
    pub security_definer: bool,
    /// The `SET search_path` value, when the function fixes one.
    pub search_path: Option<String>,
    pub procedure: bool,
    /// The first word of the return type (`trigger`, `setof`, `uuid`…), lower-cased.
    pub returns: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterFunction {
    pub func: FuncRef,
    pub security_definer: Option<bool>,
    /// `Some(Some(path))` for `SET search_path`, `Some(None)` for `RESET`.
    pub search_path: Option<Option<String>>,
    pub rename_to: Option<String>,
    pub set_schema: Option<String>,
}

/// A credential written into the SQL itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralSecretKind {
    RolePassword,
    VaultSecret,
    BearerToken,
}

/// What a statement does to the schema, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    CreateTable(CreateTable),
    DropTable {
        name: QualName,
        cascade: bool,
    },
    RenameTable {
        from: QualName,
        to: String,
    },
    SetTableSchema {
        table: QualName,
        schema: String,
    },
    /// `ALTER TABLE … ENABLE|DISABLE ROW LEVEL SECURITY`.
    SetRls {
        table: QualName,
        enabled: bool,
    },
    /// `ALTER TABLE … [NO] FORCE ROW LEVEL SECURITY`.
    ForceRls {
        table: QualName,
        forced: bool,
    },
    AddColumn {
        table: QualName,
        column: Column,
    },
    DropColumn {
        table: QualName,
        name: String,
    },
    RenameColumn {
        table: QualName,
        from: String,
        to: String,
    },
    AlterColumnType {
        table: QualName,
        name: String,
        ty: String,
    },
    AttachPartition {
        parent: QualName,
        child: QualName,
    },
    DetachPartition {
        child: QualName,
    },
    CreateView(CreateView),
    /// `ALTER VIEW … SET|RESET (security_invoker …)`.
    SetViewInvoker {
        name: QualName,
        invoker: bool,
    },
    RenameView {
        from: QualName,
        to: String,
    },
    SetViewSchema {
        name: QualName,
        schema: String,
    },
    DropView {
        name: QualName,
    },
    CreatePolicy(CreatePolicy),
    AlterPolicy(AlterPolicy),
    DropPolicy {
        name: String,
        table: QualName,
    },
    Grant(Grant),
    DefaultPrivileges(DefaultPrivileges),
    CreateFunction(CreateFunction),
    AlterFunction(AlterFunction),
    DropFunction {
        funcs: Vec<FuncRef>,
    },
    CreateSchema {
        name: String,
    },
    DropSchema {
        name: String,
        cascade: bool,
    },
    CreateExtension {
        name: String,
        name_span: Span,
        schema: Option<String>,
    },
    SetExtensionSchema {
        name: String,
        schema: String,
    },
    DropExtension {
        name: String,
    },
    /// `SET [LOCAL] search_path`, `set_config('search_path', …, is_local)`.
    SetSearchPath {
        schemas: Vec<String>,
        local: bool,
    },
    /// `BEGIN` / `START TRANSACTION` (true) or `COMMIT` / `END` / `ROLLBACK` (false).
    Transaction {
        begin: bool,
    },
    /// A password, vault secret or bearer token written as a literal.
    LiteralSecret {
        kind: LiteralSecretKind,
        /// The literal's content (without quotes).
        value_span: Span,
        /// What holds it: the role name, the vault call, the cron job.
        context: String,
    },
}
