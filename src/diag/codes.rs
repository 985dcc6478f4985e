//! The registry of diagnostic codes: one table, grouped by stage.
//!
//! E01xx syntax, E02xx names and imports, E03xx types, E04xx constraints,
//! E05xx lowering, E06xx deploy; Wxxxx are warnings. A code, once published,
//! keeps its meaning. `tests/diagnostics_registry.rs` fails when a code has no
//! entry in `docs/diagnostics.md` or no snapshot in `tests/ui/`.

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $title] $variant,)*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// `E0201`
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short title, as in `docs/diagnostics.md`.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// Error or warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    // E01xx: reading and parsing files.
    SyntaxError = "E0101", Error, "syntax error";
    UnreadableFile = "E0102", Error, "file cannot be read as mdl source";
    NestingTooDeep = "E0103", Error, "nesting too deep";
    InvalidLiteral = "E0104", Error, "invalid literal";
    MisplacedMember = "E0105", Error, "member not allowed here";
    UnterminatedString = "E0106", Error, "unterminated string";
    UnclosedBracket = "E0107", Error, "unclosed bracket";
    UnterminatedComment = "E0108", Error, "unterminated block comment";
    BidiCharacter = "E0109", Error, "bidirectional control character";

    // E02xx: names, imports, layers.
    UnknownName = "E0201", Error, "unknown name";
    UnknownField = "E0202", Error, "unknown field";
    DuplicateDefinition = "E0203", Error, "duplicate definition";
    ImportNotFound = "E0204", Error, "import not found";
    ImportCycle = "E0205", Error, "import cycle";
    LayerCycle = "E0206", Error, "layer dependency cycle";
    NotPublished = "E0207", Error, "cross-layer reference to a value that is not published";
    UnknownEnvironment = "E0208", Error, "environment not declared by the project";
    MissingProject = "E0209", Error, "no project, or more than one";
    MissingField = "E0210", Error, "missing required field";
    SelfReference = "E0211", Error, "definition refers to itself";
    DuplicateLogicalId = "E0212", Error, "duplicate logical id in a layer";
    ImportOutsideRoot = "E0220", Error, "import outside the project root";
    ImportNotSpec = "E0221", Error, "import of something that is not a spec file";
    HidesModule = "E0240", Error, "declaration hides an imported module";

    // E03xx: types and units.
    TypeMismatch = "E0301", Error, "type mismatch";
    UnitMismatch = "E0302", Error, "unit mismatch";
    DeployTimeBranch = "E0303", Error, "branching on a deploy-time value";
    SecretInPlainString = "E0304", Error, "secret flowing into a plain value";
    NonExhaustiveMatch = "E0305", Error, "non-exhaustive match";
    UnnamedInstance = "E0306", Error, "construct instance without a name";
    WrongArguments = "E0307", Error, "wrong arguments to a built-in function";
    DeployTimeName = "E0308", Error, "deploy-time value used where a check-time value is needed";
    RecursiveType = "E0309", Error, "recursive type";
    WhenNotAllowed = "E0310", Error, "`when` on a member that cannot be switched off";

    // E04xx: constraints, found while evaluating an environment.
    OutOfRange = "E0401", Error, "value out of range";
    RequirementFailed = "E0402", Error, "requirement not met";
    InvalidFargateSize = "E0403", Error, "invalid Fargate CPU/memory combination";
    ArithmeticError = "E0404", Error, "arithmetic error";
    RecursiveInstance = "E0405", Error, "construct instantiates itself";
    BindingCycle = "E0406", Error, "binding depends on its own value";
    EvaluationFailed = "E0407", Error, "evaluation failed (internal error)";
    StringTooLong = "E0408", Error, "string too long";
    TooManyElements = "E0409", Error, "list or map too large";
    TooManySteps = "E0410", Error, "evaluation takes too many steps";
    EvaluationTooDeep = "E0411", Error, "evaluation nests too deeply";
    IndexOutOfRange = "E0420", Error, "list index out of range";
    InvalidPublishedList = "E0421", Error, "published list SSM cannot hold";

    // E05xx: lowering to CloudFormation.
    QuantityInTemplate = "E0501", Error, "quantity in a CloudFormation property";
    NotATemplateValue = "E0502", Error, "value with no CloudFormation form";
    UnknownResourceType = "E0503", Error, "unknown resource type";
    TypeNotInRegion = "E0504", Error, "resource type not available in the region";
    UnknownProperty = "E0505", Error, "unknown resource property";
    MissingProperty = "E0506", Error, "missing required resource property";
    WrongPropertyType = "E0507", Error, "resource property of the wrong type";
    NotInEnum = "E0508", Error, "resource property value not allowed";
    UnknownAttribute = "E0509", Error, "unknown resource attribute";
    TemplateOverLimit = "E0510", Error, "template over a CloudFormation limit";
    PropertyOutOfRange = "E0511", Error, "resource property number out of range";
    PropertyLength = "E0512", Error, "resource property string too short or too long";
    PropertyPattern = "E0513", Error, "resource property string not matching its pattern";
    PropertyItemCount = "E0514", Error, "resource property list with too few or too many items";
    InvalidStackName = "E0525", Error, "stack name CloudFormation refuses";
    InvalidLogicalId = "E0526", Error, "logical id CloudFormation refuses";
    InvalidParameterName = "E0527", Error, "SSM parameter name SSM refuses";
    EmptyPublishedValue = "E0528", Error, "empty published value";
    DuplicateParameter = "E0529", Error, "SSM parameter written twice in one environment";
    ParameterCollision = "E0530", Error, "SSM parameter written by two environments";
    ResourceNameCollision = "E0531", Error, "resource name taken by two environments";

    // E06xx: plan and deploy, found while talking to AWS.
    AccountMismatch = "E0601", Error, "credentials of another account";
    DeployCredentials = "E0602", Error, "no usable AWS credentials";
    DeployNetwork = "E0603", Error, "AWS endpoint not answering";
    DeployRefused = "E0604", Error, "AWS refused a request";
    DeployBadResponse = "E0605", Error, "endpoint answering not as AWS does";
    StatefulChange = "E0606", Error, "change destroys a resource that holds data";
    StackBlocked = "E0607", Error, "stack in a state that needs a hand";
    ChangeSetFailed = "E0608", Error, "change set could not be made";
    DeployFailed = "E0609", Error, "change set failed and was rolled back";
    DeployInterrupted = "E0610", Error, "deploy interrupted";
    PlanOutdated = "E0611", Error, "plan file no longer matches";
    TemplateNeedsBucket = "E0612", Error, "template too large to send without a bucket";
    DependencyNotDeployed = "E0613", Error, "layer depends on a layer not deployed";
    InvalidDeploySetting = "E0614", Error, "invalid deploy setting";
    // E065x: the rest of an environment's life (destroy, import).
    DestroyRefused = "E0650", Error, "destroy refused";
    DestroyFailed = "E0651", Error, "stack could not be deleted";
    ImportRefused = "E0652", Error, "resource cannot be imported";
    // E067x: layers fanned out as StackSets.
    StackSetUnknownLayer = "E0670", Error, "StackSet for a layer the spec does not have";
    InvalidStackSet = "E0671", Error, "invalid StackSet setting";
    ReadsFannedOutLayer = "E0672", Error, "layer reads a value published by a fanned-out layer";
    StackSetOperationFailed = "E0673", Error, "StackSet operation failed";
    StackSetBusy = "E0674", Error, "another operation is running on the StackSet";
    FannedOutLayerReads = "E0675", Error, "fanned-out layer reads a value published in one region";

    // Warnings.
    InvisibleCharacter = "W0101", Warning, "invisible character";
    UnusedImport = "W0201", Warning, "unused import";
    UnreachableArm = "W0301", Warning, "unreachable match arm";
    SecretLiteral = "W0320", Warning, "literal that looks like a secret";
    TemplateNeedsS3 = "W0501", Warning, "template too large to deploy inline";
    PlainHttpWhileProtected = "W0520", Warning, "protected environment serving plain HTTP to the internet";
    DataNotRetained = "W0601", Warning, "resource that holds data without a retain policy";
    DeferredPlanDiffers = "W0602", Warning, "deferred layer differs from the reviewed plan";
    OrphanStack = "W0650", Warning, "stack that no layer of the spec names";
    Drifted = "W0651", Warning, "deployed resource or published value drifted";
}

impl Code {
    /// The code named by its text (`E0403`), for `require .. else E0403 ".."`.
    pub fn from_str_code(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
